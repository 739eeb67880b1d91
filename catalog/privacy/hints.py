"""Does a column's name, title or description say it holds a kind of personal data?"""

from __future__ import annotations

import re

from catalog.privacy.findings import PiiKind

# Chinese hints match as substrings; English ones as whole words (``tel`` must not match ``hotel``; ``_`` and
# digits separate words in column names such as ``contact_phone``).
HINTS: dict[PiiKind, tuple[str, ...]] = {
    PiiKind.resident_id: (
        "身份证",
        "证件号",
        "身份号码",
        "id_card",
        "idcard",
        "id card",
        "id_number",
        "id_no",
        "sfz",
    ),
    PiiKind.mobile: (
        "手机",
        "联系电话",
        "电话",
        "联系方式",
        "phone",
        "mobile",
        "cellphone",
        "telephone",
        "tel",
    ),
    PiiKind.bank_card: ("银行卡", "卡号", "账号", "帐号", "银行账户", "card", "card_no", "account", "bank"),
    PiiKind.email: ("邮箱", "电子邮件", "电子邮箱", "email", "e-mail", "mail"),
    PiiKind.person_name: ("姓名", "联系人", "负责人", "法定代表人", "name", "contact", "person"),
}


def _is_ascii_word_hint(hint: str) -> bool:
    return hint.isascii()


def _pattern(hint: str) -> re.Pattern[str]:
    if not _is_ascii_word_hint(hint):
        return re.compile(re.escape(hint))
    body = re.escape(hint).replace(r"_", r"[_\s\-]?").replace(r"\ ", r"[_\s\-]?")
    return re.compile(rf"(?<![a-z]){body}(?![a-z])")


_PATTERNS = {kind: tuple(_pattern(hint) for hint in hints) for kind, hints in HINTS.items()}


def _words(text: str) -> str:
    # camelCase → camel_case so ``mobilePhone`` and ``idCard`` read as words.
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", text).lower()


def hinted_kinds(name: str, title: str | None = None, description: str | None = None) -> set[PiiKind]:
    text = " ".join(_words(part) for part in (name, title or "", description or ""))
    return {kind for kind, patterns in _PATTERNS.items() if any(p.search(text) for p in patterns)}
