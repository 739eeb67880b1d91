"""The deterministic generator of the departmental sample packages in ``sample_data/``.

Run it with ``python -m sample_data.generator`` (see ``__main__.py``). One module per department, named by the
department's folder (``jtw.py`` writes ``sample_data/jtw/``), holds that department's row generators, inline
schemas and package descriptions; ``registry.py`` orders the packages; ``common.py``, ``reference.py``,
``model.py``, ``writers.py``, ``generate.py``, ``readme.py`` and ``check.py`` are shared by all of them.
"""
