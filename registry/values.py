"""Cleaning one value for one field kind: what is stored, what is shown, what is compared."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import personal_data
from core.identifiers import mask_id_number, mask_mobile, normalize_id_number, to_halfwidth

LANDLINE_RE = re.compile(r"^(0\d{2,3})-?(\d{7,8})$")
# An ID number that Excel turned into a number and wrote back as "3.20104196004218E+17".
SCIENTIFIC_RE = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)
YES = {"是", "有", "√", "✓", "Y", "YES", "1", "TRUE"}
NO = {"否", "无", "×", "N", "NO", "0", "FALSE", ""}


@dataclass(frozen=True)
class Clean:
    value: str  # what is stored and compared (normalised); for sensitive fields never shown
    shown: str  # what lists show (masked for sensitive fields)
    enc: str = ""  # the value's ciphertext when already encrypted (sensitive fields)


def text(raw) -> str:
    value = " ".join(to_halfwidth(str(raw if raw is not None else "")).split())
    return value


def name(raw) -> str:
    """Chinese names lose stray spaces ("杨 磊强" → "杨磊强"); Latin names keep one."""
    value = text(raw)
    if re.search(r"[\u4e00-\u9fff]", value):
        value = value.replace(" ", "")
    if not value:
        raise ValidationError(_("姓名不能为空。"), code="required")
    if len(value) > 50:
        raise ValidationError(_("姓名过长（最多50字）。"))
    return value


def birth(raw) -> str:
    """ "1935-06-12" or, when only a month is given, "1935-06". Accepts the ways files write them:
    19350612, 1935.06, 1935年6月, 1935-6-12, 1935/06/12, Excel dates."""
    if isinstance(raw, datetime.datetime):
        raw = raw.date()
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    value = text(raw).replace(" ", "")
    if isinstance(raw, float) and raw.is_integer():
        value = str(int(raw))
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value) or re.fullmatch(
        r"(\d{4})[.\-/年](\d{1,2})[.\-/月](\d{1,2})日?", value
    )
    if m:
        try:
            return datetime.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            pass
    else:
        m = re.fullmatch(r"(\d{4})[.\-/年](\d{1,2})月?", value) or re.fullmatch(
            r"(\d{4})(\d{2})", value
        )
        if m and 1 <= int(m[2]) <= 12:
            return f"{int(m[1]):04d}-{int(m[2]):02d}"
    raise ValidationError(
        _("日期“%(value)s”无法识别，请写成1935-06-12、1935.06或1935年6月。"),
        params={"value": value},
        code="date",
    )


def phone(raw) -> Clean:
    """A mobile (13912345678) or a landline with area code (025-52738041)."""
    value = re.sub(r"[\s()（）]", "", to_halfwidth(str(raw if raw is not None else "")))
    digits = value.replace("-", "")
    digits = re.sub(r"^\+?86(?=1)", "", digits)
    if re.fullmatch(r"1[3-9]\d{9}", digits):
        return Clean(digits, mask_mobile(digits))
    m = LANDLINE_RE.fullmatch(value) or LANDLINE_RE.fullmatch(digits)
    if m and digits.startswith("0"):
        if "-" not in value:  # no dash: the area code is 3 digits for 010/02x, else 4
            area = digits[:3] if digits[1] in "12" else digits[:4]
            normal = f"{area}-{digits[len(area) :]}"
        else:
            normal = value
        return Clean(normal, normal[:4] + "****" + normal[-4:])
    raise ValidationError(
        _("“%(value)s”无效：手机号应为11位，固定电话应带区号（如025-52738041）。"),
        params={"value": str(raw or "")},
        code="phone",
    )


def money_fen(raw) -> int:
    """Yuan as written (200, "200.5", "¥200") to whole fen."""
    value = text(raw).replace(",", "").replace("¥", "").replace("元", "")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValidationError(
            _("金额“%(value)s”不是数字。"), params={"value": value}, code="money"
        ) from None
    if amount < 0:
        raise ValidationError(_("金额不能为负数。"), code="money")
    return int((amount * 100).to_integral_value())


def flag(raw) -> str:
    value = text(raw).upper()
    if value in YES:
        return "是"
    if value in NO:
        return "否"
    raise ValidationError(
        _("“%(value)s”应填“是”或“否”。"), params={"value": text(raw)}, code="flag"
    )


def kind_for_title(title: str) -> str:
    """The kind of a new report column from its title, so its cells are typed: 走访日期 a date,
    是否… yes/no, …金额 or …（元） money, …电话 a phone number, anything else text."""
    if re.search(r"日期|时间$|日$", title):
        return "date"
    if title.startswith("是否"):
        return "flag"
    if re.search(r"金额|[（(]元", title):
        return "money"
    if re.search(r"电话|手机", title):
        return "phone"
    return "text"


def id_stored_as_number(raw) -> bool:
    """A numeric Excel cell, or its text in scientific notation: an 18-digit number stored as a
    number has lost its last three digits (Excel keeps 15 significant digits)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return True
    return bool(SCIENTIFIC_RE.match(text(raw).replace(" ", "")))


def clean(kind: str, key: str, raw) -> Clean:
    """The stored and shown forms of `raw` for a field of `kind` (keyed by `key`)."""
    if key == "id_number":
        if id_stored_as_number(raw):
            raise ValidationError(
                _("身份证号被Excel存成了数字：Excel只保留15位有效数字，后几位已变成0，号码无法"
                  "还原。请把这一列设为“文本”格式，从原系统重新导出后再上传。"),
                code="id_as_number",
            )  # fmt: skip
        number = normalize_id_number(str(raw if raw is not None else ""))
        return Clean(number, mask_id_number(number))
    if key == "name":
        v = name(raw)
        return Clean(v, v)
    if kind == "date":
        v = birth(raw)
        return Clean(v, v)
    if kind == "phone":
        return phone(raw)
    if kind == "money":
        fen = money_fen(raw)
        return Clean(str(fen), f"{fen / 100:.2f}")
    if kind == "flag":
        v = flag(raw)
        return Clean(v, v)
    if key == "gender":
        v = text(raw)
        if v not in ("男", "女"):
            raise ValidationError(_("性别应为“男”或“女”，收到“%(v)s”。"), params={"v": v})
        return Clean(v, v)
    v = text(raw)
    if len(v) > 200:
        raise ValidationError(_("内容过长（最多200字）。"))
    return Clean(v, v)


def value_hash(key: str, value: str) -> str:
    return personal_data.keyed_hash(f"fact:{key}:{value}")


def stored_form(field, shown: str) -> str:
    """The value a fact's hash was made of, from the shown value a plain fact keeps: the same
    for most kinds, but money is shown in yuan ("200.00") and hashed in fen ("20000")."""
    try:
        return clean(field.kind, field.key, shown).value
    except ValidationError:
        return shown


def rotation_target():
    """What the registry stores encrypted, for core.key_rotation: sensitive facts, and the
    hashes of every fact (a plain fact's hash is of its value in stored form: stored_form)."""
    from core.key_rotation import Sealed, Target
    from registry.models import Fact

    def plain_hash(row):
        if row.value_enc:
            return row.value_hash
        return value_hash(row.field.key, stored_form(row.field, row.value))

    return Target(
        label="registry.fact",
        queryset=lambda: Fact.objects.select_related("field"),
        fields=(Sealed("value_enc", "value_hash", lambda row, v: value_hash(row.field.key, v)),),
        plain_hashes=(("value_hash", plain_hash),),
    )
