"""Chinese personal names: 2–4 Han characters starting with a common surname. Alone this is far too loose
(黄浦区 starts with the surname 黄), so names only count next to an already flagged column of the same table and
under a name hint (columns.py)."""

from __future__ import annotations

import pyarrow as pa

from catalog.privacy.arrays import StringValues, as_strings, fold, validated
from catalog.privacy.findings import mask_middle

PATTERN = r"^[\x{4e00}-\x{9fff}]{2,4}$"

# The most common surnames (about 85 % of the population) and the usual compound ones.
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢"
)
COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文"}
)


def is_person_name(value: str) -> bool:
    value = fold(value)
    if not 2 <= len(value) <= 4 or not all("\u4e00" <= char <= "\u9fff" for char in value):
        return False
    return value[0] in SURNAMES or (len(value) >= 3 and value[:2] in COMPOUND_SURNAMES)


def match(values: StringValues) -> pa.ChunkedArray:
    return validated(as_strings(values), PATTERN, is_person_name)


def mask(value: str) -> str:
    return mask_middle(value, 1, 0)
