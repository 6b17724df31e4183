"""National identifiers: validation and normalisation with messages a user can act on.

GB/T 2260 division codes, street (9) and community (12) codes, CJ/T 349 grid codes (20),
GB 11643 citizen ID numbers, mainland mobile numbers.
"""

import datetime
import functools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from core.models import PlaceLevel

CODE_LENGTH = {
    PlaceLevel.DISTRICT: 6,
    PlaceLevel.STREET: 9,
    PlaceLevel.COMMUNITY: 12,
    PlaceLevel.GRID: 20,
}
MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def to_halfwidth(text: str) -> str:
    """Full-width digits and letters (from Chinese input methods) become ASCII."""
    return unicodedata.normalize("NFKC", text)


def is_known_division(code: str) -> bool:
    """True if `code` is a county-level GB/T 2260 division, current or historical."""
    return bool(re.fullmatch(r"\d{6}", code)) and bool(_county_spans(code))


@functools.lru_cache(maxsize=4096)
def _county_spans(code: str) -> tuple[str, ...]:
    """The county entries python-stdnum knows for a 6-digit code, e.g. "[1983-2013]白下区".

    Cached: an import checks a million ID numbers from a few dozen divisions, and stdnum's
    lookup was about a quarter of the time spent checking each row."""
    return tuple(
        county
        for _part, info in numdb.get("cn/loc").info(code)
        for county in info.get("county", "").split(",")
        if county
    )


def validate_place_code(*, level: str, code: str, parent_code: str | None) -> str:
    """The normalised code for a place at `level` under a parent with `parent_code`."""
    code = to_halfwidth(code or "").strip()
    length = CODE_LENGTH[level]
    if not re.fullmatch(rf"\d{{{length}}}", code):
        raise ValidationError(
            _("%(level)s代码应为%(length)s位数字，收到“%(code)s”。"),
            params={"level": PlaceLevel(level).label, "length": length, "code": code},
            code="code_format",
        )
    if level == PlaceLevel.DISTRICT:
        if not is_known_division(code):
            raise ValidationError(
                _("“%(code)s”不是有效的GB/T 2260县级行政区划代码。"),
                params={"code": code},
                code="code_unknown_division",
            )
        return code
    if level in (PlaceLevel.STREET, PlaceLevel.COMMUNITY):
        if not code.startswith(parent_code or ""):
            raise ValidationError(
                _("%(level)s代码应以上级代码%(parent)s开头，收到“%(code)s”。"),
                params={"level": PlaceLevel(level).label, "parent": parent_code, "code": code},
                code="code_parent_prefix",
            )
        if code.endswith("000"):
            raise ValidationError(
                _("%(level)s代码的末三位不能为000。"),
                params={"level": PlaceLevel(level).label},
                code="code_zero_sequence",
            )
        return code
    # CJ/T 349 grid: 1–6 object code, 7–12 county division, 13–15 street, 16–18 community,
    # 19–20 grid sequence. The community's 12-digit code is exactly characters 7–18.
    if code[6:18] != (parent_code or ""):
        raise ValidationError(
            _("网格代码第7–18位应为所属社区代码%(parent)s，收到“%(code)s”。"),
            params={"parent": parent_code, "code": code},
            code="code_parent_prefix",
        )
    return code


def grid_code(*, community_code: str, sequence: int, object_code: str = "000000") -> str:
    """Build a CJ/T 349 grid code; sequence 0 means the community is not split."""
    if not 0 <= sequence <= 99:
        raise ValidationError(_("网格序号应在0–99之间。"), code="grid_sequence")
    return f"{object_code}{community_code}{sequence:02d}"


def normalize_id_number(raw: str) -> str:
    """A valid 18-character citizen ID number (GB 11643), or ValidationError saying why."""
    value = to_halfwidth(raw or "").replace(" ", "").upper()
    try:
        if len(value) != 18:
            raise InvalidLength()
        if not (value[:17].isdigit() and (value[17].isdigit() or value[17] == "X")):
            raise StdnumError()
        birth = _birth_date(value)
        if ric.calc_check_digit(value) != value[17]:
            raise InvalidChecksum()
    except InvalidLength:
        message, params = _("身份证号应为18位，收到%(n)s位。"), {"n": len(value)}
    except InvalidChecksum:
        message, params = _("身份证号校验位不正确，请核对最后一位。"), {}
    except InvalidComponent:
        message, params = _("身份证号中的出生日期无效。"), {}
    except StdnumError:
        message, params = _("身份证号应为17位数字加1位数字或X。"), {}
    else:
        if division_in_use_after(value[:6], birth.year):
            return value
        message, params = _("身份证号前6位“%(code)s”不是有效的行政区划代码。"), {"code": value[:6]}
    raise ValidationError(message, params=params, code="id_number")


def _birth_date(value: str) -> datetime.date:
    """Characters 7–14 as a date, as stdnum's ric.get_birth_date reads them, without its
    second cleaning of a number already cleaned (a tenth of an import's checking time)."""
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidComponent() from None


def division_in_use_after(code: str, year: int) -> bool:
    """True if the division code exists and was still in use in or after `year`.

    Numbers were issued from 1984 on, so an elderly Qinhuai resident born in 1935 rightly
    carries 320104 although that code dates from 1983 (stdnum's own check would refuse it);
    but nobody born after a code was abolished can carry it (320103 ended in 2013).
    """
    spans = _county_spans(code)
    if not spans:
        return False
    for county in spans:
        if not county.startswith("["):
            return True
        end = county[1:].split("]")[0].split("-")[1]
        if not end or year <= int(end):
            return True
    return False


def normalize_mobile(raw: str) -> str:
    """An 11-digit mainland mobile number; dashes, spaces and +86 are removed."""
    value = re.sub(r"[\s\-()]", "", to_halfwidth(raw or ""))
    value = re.sub(r"^(\+?86)", "", value)
    if not MOBILE_RE.fullmatch(value):
        raise ValidationError(
            _("手机号“%(value)s”无效，应为以1开头的11位数字。"),
            params={"value": raw},
            code="mobile",
        )
    return value


def mask_id_number(value: str) -> str:
    """Keep the first 6 and last 4 characters: 320104********1234."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_mobile(value: str) -> str:
    """Keep the first 3 and last 4 digits: 139****5678."""
    return value[:3] + "****" + value[-4:] if len(value) == 11 else "*" * len(value)
