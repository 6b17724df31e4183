"""Review settings of a district: the review deadline in working days."""

from django.conf import settings
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
from core.validation import clean_int
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
    days = clean_int(review_working_days, _("审核期限（工作日）"), 1, 60)
    policy, _created = AdmissionPolicy.objects.update_or_create(
        district=district, defaults={"review_working_days": days}
    )
    audit.record(
        actor=actor, action="admission.policy_set", obj=policy, place=district,
        changes={"review_working_days": days},
    )  # fmt: skip
    return policy
