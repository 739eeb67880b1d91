"""Data contests (数据创新应用大赛, e.g. SODA): an organizer curates a package of datasets pinned to versions,
registered teams accept the data agreement and download it during the data window, and their works are shown.

One concept per module: ``contests`` (the contest, its windows and states, publishing), ``entries`` (the package:
entries pinned to versions, re-pins), ``consents`` (the departments' consent for 有条件开放 entries),
``samples`` (an entry's public sample), ``teams`` (teams, join codes, the agreement), ``gate`` (who may take
which full data now — the facts for ``catalog/access.py``'s decisions), ``bundle`` (the package as one
Frictionless Data Package zip), ``downloads`` (the download log and its report), ``works`` (works, acceptance,
awards, reuse counts) and ``seed`` (a contest from a JSON file, ``odp contests create --from-json``).
"""
