"""The admission-request state machine as one table of steps.

Each row says what a step is called, which service does it, which django-rules permission it
needs (and on what: the request's district, the request, or its admitted item), from which
states it may be taken, and what input it takes. The request page (``views.request_detail`` and
``_step.html``), the JSON API (``api.py``: one operation per row,
``POST /api/admission/requests/{id}/steps/{name}``) and the tests all loop over ``STEPS``:
adding a step is adding a row here (and its service). The shape of a row and what loops over
the rows are shared: ``core.steps``.

``available_steps(user, request)`` answers which steps this user may take on this request now,
with the same rules predicates the services check; the services still check everything again
when a step is taken (the state may have moved meanwhile).
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admission import selectors, services
from admission.models import AdmissionRequest
from core import steps as core_steps
from core.steps import TEXT

# Kinds of input besides text. The page renders each kind as its form field, the API as its
# JSON type; ``clean_input`` turns what an API client sent into what the service takes.
ENTRY = "entry"  # an entry of the district's duty or assistance list in force (a pk)
FEN = "fen"  # money: yuan on the page, integer fen in the API
FIELDS = "fields"  # a form's fields: text (one a line) on the page, a list in the API
MEETING = "meeting"  # a joint meeting of the district (a pk)
DECISION = "decision"  # one of services.Decision.CHOICES

# What a step's permission is checked on.
ON_DISTRICT, ON_REQUEST, ON_ITEM = "district", "request", "item"

# The codes with which the services refuse a step in a state that does not allow it.
STATE_CODES = frozenset({"bad_state", "not_under_review", "not_prepared"})


@dataclass(frozen=True, kw_only=True)
class Input(core_steps.Input):
    """An input's ``name`` is the API's; ``field`` its name on the page's form."""

    field: str = ""  # the page's form field (default: the name)

    @property
    def form_name(self) -> str:
        return self.field or self.name


@dataclass(frozen=True, kw_only=True)
class Step(core_steps.Step):
    """One step of an admission request.

    ``perm`` is a django-rules permission checked on what ``on`` says: the request's district,
    the request, or its admitted item. The subject is the request, or for ``subject="item"``
    its admitted item."""

    STATE = "status"

    on: str = ON_REQUEST  # ON_DISTRICT, ON_REQUEST or ON_ITEM
    link: str = ""  # the page links to this page (a URL name) instead of showing a form

    def target(self, request: AdmissionRequest):
        if self.on == ON_DISTRICT:
            return request.district
        if self.on == ON_ITEM:
            return admitted_item(request)
        return request

    def subject_of(self, request: AdmissionRequest, data: dict):
        if self.subject != "item":
            return request
        item = admitted_item(request)
        if item is None:
            raise Http404
        return item


def admitted_item(request: AdmissionRequest):
    """The item an approved request entered into the catalogue (None before)."""
    return getattr(request, "admitted_item", None) if request.is_approved else None


# ---------------------------------------------------------------- guards and initial values


def _not_appealed(user, request) -> bool:
    return request.appealed_at is None


def _item_active(user, request) -> bool:
    item = admitted_item(request)
    return item is not None and item.status == item.Status.ACTIVE


def _amend_initial(request) -> dict:
    return {
        "legal_basis": request.legal_basis,
        "funding": f"{request.funding_fen / 100:.2f}" if request.funding_fen else "",
        "cited_entry": request.cited_entry_id,
        "form_fields": "\n".join(request.form_fields),
    }


# ---------------------------------------------------------------- the table

S = AdmissionRequest.Status
REFUSED = frozenset({S.REFUSED, S.REFUSED_NEGATIVE})
APPROVED = frozenset({S.APPROVED, S.APPROVED_WITH_CONDITIONS})
REASONS = Input("reasons", TEXT, gettext_lazy("理由"), required=True)

STEPS: tuple[Step, ...] = (
    Step(
        "prepare", gettext_lazy("提交联席会议审议"), services.request_prepare, "admission.review",
        frozenset({S.UNDER_REVIEW}), on=ON_DISTRICT,
        inputs=(Input("opinion", TEXT, gettext_lazy("初审意见（提交联席会议审议）"), required=True, rows=3),),
        args={"opinion": "opinion"}, title=gettext_lazy("初审"), style="primary",
        help=gettext_lazy("区减负办初审后提交联席会议，由联席会议作出准入、附条件准入或不予准入的决定。"),
        done=gettext_lazy("已完成初审，提交联席会议审议。"),
    ),
    Step(
        "decide", gettext_lazy("记录联席会议决定"), services.request_decide, "admission.review",
        frozenset({S.PREPARED}), on=ON_DISTRICT,
        inputs=(
            Input("meeting_id", MEETING, gettext_lazy("联席会议"), required=True, field="meeting"),
            Input("decision", DECISION, gettext_lazy("审核结论"), required=True),
            Input("reasons", TEXT, gettext_lazy("理由（不予准入时必填，向所有社区公开）"), rows=3),
            Input("conditions", TEXT, gettext_lazy("附加条件")),
        ),
        args={"meeting": "meeting_id", "decision": "decision", "reasons": "reasons",
              "conditions": "conditions"},
        style="primary", link="admission:meetings", done=gettext_lazy("已记录会议决定。"),
    ),
    Step(
        "amend", gettext_lazy("补正并重新提交"), services.request_amend, "admission.amend_request",
        frozenset({S.INCOMPLETE}),
        inputs=(
            Input("cited_entry_id", ENTRY, gettext_lazy("对应清单事项（依法履职/依法协助）"),
                  field="cited_entry"),
            Input("legal_basis", TEXT, gettext_lazy("法律政策依据")),
            Input("funding_fen", FEN, gettext_lazy("随事转移经费（元）"), field="funding"),
            Input("form_fields", FIELDS, gettext_lazy("报表字段（报表/台账类必填）"), rows=3,
                  help=gettext_lazy("每行一个或用顿号分隔。")),
        ),
        args={"legal_basis": "legal_basis", "cited_entry": "cited_entry_id",
              "funding_fen": "funding_fen", "form_fields": "form_fields"},
        title=gettext_lazy("补正材料"), style="primary", initial=_amend_initial,
        done=gettext_lazy("已补正，申请已重新检查。"),
    ),
    Step(
        "appeal", gettext_lazy("提出申诉"), services.request_appeal, "admission.amend_request",
        REFUSED, inputs=(REASONS,), args={"reasons": "reasons"},
        title=gettext_lazy("申诉"), guard=_not_appealed, done=gettext_lazy("已提出申诉，等待复核。"),
    ),
    Step(
        "withdraw_request", gettext_lazy("撤回申请"), services.request_withdraw,
        "admission.amend_request", frozenset(AdmissionRequest.OPEN),
        done=gettext_lazy("已撤回申请。"),
    ),
    Step(
        "withdraw_item", gettext_lazy("退出"), services.item_withdraw, "admission.withdraw_item",
        APPROVED, on=ON_ITEM, inputs=(REASONS,), args={"reasons": "reasons"}, subject="item",
        title=gettext_lazy("事项退出（退出准入目录）"), style="danger", collapsed=True,
        guard=_item_active, done=gettext_lazy("该事项已退出准入目录。"),
    ),
)  # fmt: skip

TABLE = core_steps.Table(STEPS)
BY_NAME: dict[str, Step] = TABLE.by_name
available_steps = TABLE.available  # (user, request) -> the steps user may take on it now


def clean_input(step: Step, user, request: AdmissionRequest, raw: dict) -> dict:
    """What an API client sent (JSON values by input name), as the service takes it.

    A reference to an entry or a meeting that does not exist (or that the user may not see) is
    refused with the reason (ValidationError); text, money and decisions are passed as they came:
    the service checks them and says what is wrong."""
    cleaners = {
        ENTRY: lambda value, spec: None if value is None else _entry(request, value),
        FEN: lambda value, spec: 0 if value is None else value,
        MEETING: lambda value, spec: _meeting(user, value),
        FIELDS: lambda value, spec: value,  # None keeps the fields given before
        DECISION: lambda value, spec: value,
    }
    return core_steps.clean_input(step, raw, cleaners)


def _entry(request, value):
    entry = selectors.list_entry_in(request.district, value)
    if entry is None:
        raise ValidationError(_("所引清单事项不存在。"), code="unknown_reference")
    return entry


def _meeting(user, value):
    meeting = selectors.meetings_visible_to(user).filter(pk=value).first() if value else None
    if meeting is None:
        raise ValidationError(_("联席会议不存在。"), code="unknown_reference")
    return meeting
