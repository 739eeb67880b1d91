"""Personal-information detection (数据脱敏检查): pure functions over values and pyarrow arrays.

Detectors (one per module): ``ids`` (resident ID numbers), ``phones`` (mainland mobiles), ``cards`` (bank cards),
``emails``, ``names`` (Chinese personal names next to a flagged column); ``columns`` decides whether a column is
personal data from its values and its name, title and description. See docs/quality.md (个人信息检查) for the rules;
``scan`` runs them over a table at harvest, ``policy`` decides publication (ODP_PII_POLICY), ``masking`` masks public
samples, ``rescan`` is `odp pii-scan`.
"""

from catalog.privacy.policy import blocked_datasets

__all__ = ["blocked_datasets"]
