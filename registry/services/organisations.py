"""Organisations registered in a community, identified by their unified social credit code."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from core import audit
from core.clock import one_write
from core.identifiers import to_halfwidth
from core.models import Place, PlaceLevel
from core.validation import require_perm as _require
from registry import values
from registry.models import Organisation


def normalize_uscc(raw: str) -> str:
    value = to_halfwidth(raw or "").replace(" ", "").upper()
    try:
        return uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码“%(v)s”无效（应为18位，且校验位正确）。"), params={"v": value},
            code="uscc",
        ) from None  # fmt: skip


@one_write
def organisation_register(
    *, actor, community: Place, name: str, uscc_code: str, kind: str = "", address: str = ""
) -> Organisation:
    _require(actor, "registry.manage_residents", community)
    if community.level not in (PlaceLevel.COMMUNITY, PlaceLevel.GRID):
        raise ValidationError(_("请选择社区。"))
    code = normalize_uscc(uscc_code)
    name = values.text(name)
    if not name:
        raise ValidationError(_("名称不能为空。"))
    if Organisation.objects.filter(uscc=code).exists():
        raise ValidationError(_("该统一社会信用代码已登记。"), code="duplicate")
    org = Organisation.objects.create(
        district=community.district, community=community, name=name[:100], uscc=code,
        kind=values.text(kind)[:20], address=values.text(address)[:200],
    )  # fmt: skip
    audit.record(actor=actor, action="registry.organisation_register", obj=org, place=community,
                 changes={"name": name, "uscc": code})  # fmt: skip
    return org
