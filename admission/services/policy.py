"""Review settings of a district: the review deadline in working days."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from admission.models import (
    AdmissionPolicy,
)
from admission.services._common import (
    _district,
)
from core import audit
from core.clock import one_write
from core.models import Place
from core.validation import require_perm as _require

DEFAULT_REVIEW_WORKING_DAYS = 15


def review_working_days(district: Place) -> int:
    policy = AdmissionPolicy.objects.filter(district=district).first()
    if policy is not None:
        return policy.review_working_days
    return int(
        getattr(settings, "LINLI_ADMISSION_REVIEW_WORKING_DAYS", DEFAULT_REVIEW_WORKING_DAYS)
    )


@one_write
def policy_set(*, actor, district: Place, review_working_days: int) -> AdmissionPolicy:
    district = _district(district)
    _require(actor, "admission.edit_lists", district)
    try:
        days = int(review_working_days)
    except (TypeError, ValueError):
        raise ValidationError(_("审核期限应为整数个工作日。")) from None
    if not 1 <= days <= 60:
        raise ValidationError(_("审核期限应在1至60个工作日之间。"))
    policy, _created = AdmissionPolicy.objects.update_or_create(
        district=district, defaults={"review_working_days": days}
    )
    audit.record(
        actor=actor, action="admission.policy_set", obj=policy, place=district,
        changes={"review_working_days": days},
    )  # fmt: skip
    return policy
