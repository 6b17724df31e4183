"""What the owners' services share."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from owners.models import Compound, Decision


def locked_decision(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("compound").get(pk=decision.pk)


def locked_compound(compound: Compound) -> Compound:
    return Compound.objects.select_for_update().get(pk=compound.pk)


def require_state(decision: Decision, *states: str, message: str) -> None:
    if decision.state not in states:
        raise ValidationError(message, code="state")


def no_date(value) -> bool:
    import datetime

    return not isinstance(value, datetime.date)


def required_date(value, label: str):
    if no_date(value):
        raise ValidationError(_("请填写%(label)s。"), params={"label": label}, code="date")
    return value
