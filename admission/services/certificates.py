"""Certificate requests answered from the certificate list in force."""

import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from admission.models import (
    CertificateAnswer,
    CertificateCategory,
    ListEntry,
    ListKind,
)
from admission.services.lists import version_in_force
from core import audit, clock
from core.clock import one_write
from core.models import Place
from core.validation import clean_text as _text
from core.validation import require_perm as _require


@one_write
def certificate_answer(
    *,
    actor,
    community: Place,
    entry: ListEntry,
    subject_name: str = "",
    purpose: str = "",
) -> CertificateAnswer:
    """Answer a certificate request from the list in force: issue it (community workers only,
    for certificates the community may issue) or redirect to the authority, counted."""
    community = Place.objects.get(pk=community.pk)
    _require(actor, "admission.ask_certificate", community, _("只能在本人所在或所服务的社区办理。"))
    in_force = version_in_force(community.district, ListKind.CERTIFICATE)
    if entry.kind != ListKind.CERTIFICATE or in_force is None or entry.version_id != in_force.pk:
        raise ValidationError(
            _("“%(title)s”不在现行有效的证明事项清单中。"), params={"title": entry.title}
        )
    purpose = _text(purpose, _("用途"), required=False)
    answer = CertificateAnswer(
        district_id=community.district_id, street_id=community.parent_id, community=community,
        entry=entry, asked_by=actor, purpose=purpose,
    )  # fmt: skip
    if entry.category == CertificateCategory.MUST_NOT_ISSUE:
        answer.outcome = CertificateAnswer.Outcome.REDIRECTED
        answer.handled_by = entry.handled_by
    else:
        _require(
            actor,
            "admission.issue_certificate",
            community,
            _("该证明须由社区工作人员核实后出具，请到社区居委会办理。"),
        )
        answer.outcome = CertificateAnswer.Outcome.ISSUED
        answer.subject_name = _text(subject_name, _("证明对象姓名"), limit=50)
        answer.number = _next_certificate_number(community)
        answer.verification_code = secrets.token_hex(5).upper()
    answer.save()
    audit.record(
        actor=actor, action="admission.certificate_answer", obj=answer,
        changes={"entry": f"{entry.key} {entry.title}", "outcome": answer.outcome,
                 "number": answer.number},
    )  # fmt: skip
    return answer


def _next_certificate_number(community: Place) -> str:
    Place.objects.select_for_update().filter(pk=community.pk).first()  # serialise numbering
    stem = f"{community.code}-ZM{clock.today().year}-"
    count = CertificateAnswer.objects.filter(number__startswith=stem).count()
    return f"{stem}{count + 1:04d}"
