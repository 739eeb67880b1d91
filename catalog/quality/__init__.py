"""Trust in the data: the quality score of each dataset (``rubric.py``, its facts in ``facts.py``, stored and read
in ``scores.py``), timeliness against the declared update frequency (``timeliness.py``), and the department
scorecards and portal statistics built from them (``scorecards.py``). docs/quality.md explains the rubric."""
