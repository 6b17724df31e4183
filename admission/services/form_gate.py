"""Every form through admission (一表通): a report form that communities must fill stands on an
admitted item of kind form. The registry's services call these inside their own transaction
(registering a form, and the forms ledger's keep for a form registered before the gate)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from admission.models import AdmittedForm, AdmittedItem, WorkKind
from admission.services._common import local_today
from admission.services.decisions import item_is_usable
from core.models import Department


def form_item_check(
    item: AdmittedItem | None, department: Department, on: datetime.date | None = None
) -> AdmittedItem:
    """The admitted item a form of `department` may stand on, else a refusal naming the rule:
    an item of kind form, of the same department, in the catalogue and in its period."""
    if item is None:
        raise ValidationError(
            _(
                "要求社区填报的报表须先经准入（一表通）：请选择本部门已准入的“报表/台账”类事项，"
                "没有的请先提出准入申请。"
            ),
            code="form_not_admitted",
        )
    item = AdmittedItem.objects.select_related("department").get(pk=item.pk)
    params = {"number": item.number, "title": item.title}
    if item.kind != WorkKind.FORM:
        raise ValidationError(
            _("准入事项%(number)s“%(title)s”不是报表/台账类事项，不能据此登记报表。"),
            params=params,
            code="item_not_form",
        )
    if item.department_id != department.pk:
        raise ValidationError(
            _("准入事项%(number)s“%(title)s”属于%(dept)s，不能用于其他部门的报表。"),
            params={**params, "dept": item.department.name},
            code="item_other_department",
        )
    if not item_is_usable(item, on or local_today()):
        raise ValidationError(
            _("准入事项%(number)s“%(title)s”已退出或不在准入期限内，不能据此登记报表。"),
            params=params,
            code="item_not_usable",
        )
    return item


def form_link(*, report, item: AdmittedItem, actor, after_the_fact: bool = False) -> AdmittedForm:
    """Record that `report` stands on `item` (checked by form_item_check). Only the registry's
    report services call this, inside their transaction and audit event."""
    if AdmittedForm.objects.filter(report=report).exists():
        raise ValidationError(_("该报表已关联准入事项。"), code="form_already_admitted")
    return AdmittedForm.objects.create(
        district_id=report.district_id, report=report, item=item, linked_by=actor,
        after_the_fact=after_the_fact,
    )  # fmt: skip
