"""The automatic checks of an application: negative list, already admitted, overlaps with the
catalogue and with registered forms, missing basis or funding."""

import datetime
import functools
import re

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from admission.models import (
    AdmissionRequest,
    AdmittedItem,
    AdmittedScope,
    ListEntry,
    ListKind,
    PowerCategory,
    WorkKind,
)
from admission.services.lists import entries_in_force
from core.identifiers import to_halfwidth
from core.models import Department, Place

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    return _PUNCT.sub("", text or "").lower()


@functools.lru_cache(maxsize=16384)
def bigrams(text: str) -> frozenset[str]:
    """The two-character runs of a title (cached: catalogue titles are compared again and again)."""
    text = normalise(text)
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) or (
        frozenset({text}) if text else frozenset()
    )


def similarity(a: str, b: str) -> float:
    first, second = bigrams(a), bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


OVERLAP_THRESHOLD = 0.5


def containment(part: str, whole: str) -> float:
    """The share of `part`'s two-character runs found in `whole` (0 when `part` has none)."""
    grams = bigrams(part)
    if not grams:
        return 0.0
    return len(grams & bigrams(whole)) / len(grams)


# A task's content against its admitted item: at or above TASK_MATCH it matches; below
# TASK_REFUSE_BELOW it is other work and is refused; in between the sender gives a reason.
TASK_MATCH = 0.5
TASK_REFUSE_BELOW = 0.2


def task_match(*, item_title: str, item_text: str, title: str, description: str) -> float:
    """How well a task (title, requirements) matches its admitted item (title, and the words of
    its application and cited list entry): the best of the duplicate check's similarity of the
    two titles, the share of the item's title found in the task, and the share of the task's
    title found in the item."""
    return max(
        similarity(title, item_title),
        containment(item_title, f"{title}{description}"),
        containment(title, f"{item_title}{item_text}"),
    )


def negative_match(district: Place, text: str, cited_entry: ListEntry | None = None):
    """The negative-list entry in force that `text` hits, with the keyword; else (None, "")."""
    if cited_entry is not None and cited_entry.kind == ListKind.NEGATIVE:
        return cited_entry, cited_entry.title
    for entry in entries_in_force(district, ListKind.NEGATIVE):
        for word in entry.keyword_list():
            if word in text:
                return entry, word
    return None, ""


MAX_FORM_FIELDS = 200
_FIELD_SPLIT = re.compile(r"[\n\r,，、;；]+")


@functools.lru_cache(maxsize=65536)
def field_key(label: str) -> str:
    """A field name as compared: half-width, no spaces, lower case.

    Cached: each application compares its fields with every label of the district's forms
    (hundreds of forms, a few dozen distinct labels)."""
    return re.sub(r"\s+", "", to_halfwidth(label or "")).lower()


def clean_form_fields(raw) -> list[str]:
    """The field names of a form, from a list or from text (one a line, or separated by
    commas or 、), in order, without repeats."""
    if raw is None:
        return []
    parts = _FIELD_SPLIT.split(raw) if isinstance(raw, str) else [str(p) for p in raw]
    names, seen = [], set()
    for part in parts:
        name = re.sub(r"\s+", " ", to_halfwidth(part)).strip()
        if not name or field_key(name) in seen:
            continue
        if len(name) > 40:
            raise ValidationError(
                _("报表字段“%(name)s”过长（最多40字）。"), params={"name": name[:40]}
            )
        seen.add(field_key(name))
        names.append(name)
    if len(names) > MAX_FORM_FIELDS:
        raise ValidationError(
            _("报表字段最多%(n)d个。"), params={"n": MAX_FORM_FIELDS}, code="too_many_fields"
        )
    return names


def form_overlaps(district: Place, form_fields: list[str]) -> list[dict]:
    """The district's registered forms that already collect some of `form_fields`: one finding
    per form, naming the fields, the form and the department that keeps it (read through the
    registry's selector, the only door into the registry)."""
    if not form_fields:
        return []
    from registry.selectors import report_forms_in

    wanted = {field_key(name): name for name in form_fields}
    findings = []
    for form in report_forms_in(district):
        held = {field_key(label) for label in form.labels}
        shared = [name for key, name in wanted.items() if key in held]
        if not shared:
            continue
        findings.append(
            {
                "kind": "form_overlap",
                "message": _(
                    "报表字段“%(fields)s”已由%(dept)s的报表“%(form)s”采集，"
                    "请审核人员核对能否共享使用，避免社区重复填报。"
                )
                % {"fields": "、".join(shared), "dept": form.department, "form": form.name},
                "ref": form.form_id,
                "fields": shared,
                "form": form.name,
                "department": form.department,
            }
        )
    findings.sort(key=lambda f: (-len(f["fields"]), f["form"]))
    return findings


def check_application(
    *,
    district: Place,
    department: Department,
    title: str,
    description: str,
    legal_basis: str,
    cited_entry: ListEntry | None,
    funding_fen: int,
    community_ids: set[int],
    period_start: datetime.date,
    period_end: datetime.date,
    kind: str = "",
    form_fields: list[str] | None = None,
) -> tuple[str, list[dict], ListEntry | None]:
    """Run the submission checks: (status, findings, matched negative entry).

    Raises ValidationError when the same work is already admitted (pointing to it). The fields
    of a form are compared with the forms the district already keeps (flagged for review).
    """
    S = AdmissionRequest.Status
    # A street office's application is read against the street power list first: a power the
    # higher level took back is refused by name, before any other list is consulted.
    powers = []
    if department.street_id is not None:
        powers = power_list_findings(district, title, description, cited_entry)
    entry, word = negative_match(district, f"{title}\n{description}", cited_entry)
    if entry is not None:
        return S.REFUSED_NEGATIVE, [_negative_finding(entry, word)], entry
    findings = catalogue_overlaps(
        district=district, department=department, title=title, cited_entry=cited_entry,
        community_ids=community_ids, period_start=period_start, period_end=period_end,
    )  # fmt: skip
    findings.extend(form_overlaps(district, form_fields or []))
    findings.extend(powers)
    missing = _missing(
        kind=kind, form_fields=form_fields, legal_basis=legal_basis, cited_entry=cited_entry,
        funding_fen=funding_fen,
    )  # fmt: skip
    findings.extend({"kind": "incomplete", "message": message, "ref": None} for message in missing)
    incomplete = any(f["kind"] == "incomplete" for f in findings)
    return (S.INCOMPLETE if incomplete else S.UNDER_REVIEW), findings, None


def _negative_finding(entry: ListEntry, word: str) -> dict:
    return {
        "kind": "negative",
        "message": _("命中负面清单“%(key)s %(title)s”（关键词“%(word)s”；依据：%(basis)s）")
        % {"key": entry.key, "title": entry.title, "word": word, "basis": entry.legal_basis},
        "ref": entry.pk,
    }


def catalogue_overlaps(
    *,
    district: Place,
    department: Department,
    title: str,
    cited_entry: ListEntry | None,
    community_ids: set[int],
    period_start: datetime.date,
    period_end: datetime.date,
) -> list[dict]:
    """Admitted items in force over the period that look like the same work and reach some of
    the same communities (one finding each). Raises ValidationError when the department's own
    item with the same title is already admitted."""
    wanted = normalise(title)
    grams = bigrams(title)
    # Only items sharing a two-character run with the title (or citing the same entry) can be
    # duplicates or overlaps: the database narrows the catalogue before any Python compares.
    near = Q(pk__in=[])
    for gram in grams:
        near |= Q(title__contains=gram)
    if cited_entry is not None:
        near |= Q(cited_entry_id=cited_entry.pk)
    candidates = AdmittedItem.objects.filter(
        near,
        district=district,
        status=AdmittedItem.Status.ACTIVE,
        period_end__gte=period_start,
        period_start__lte=period_end,
    ).values_list("pk", "number", "title", "department_id", "cited_entry_id")
    overlapping = []
    for pk, number, item_title, department_id, cited_id in candidates:
        if department_id == department.pk and normalise(item_title) == wanted:
            raise ValidationError(
                _(
                    "该事项已准入（%(number)s“%(title)s”），无需重复申请；请直接在该事项下派发任务。"
                ),
                params={"number": number, "title": item_title},
                code="already_admitted",
            )
        same_entry = cited_entry is not None and cited_id == cited_entry.pk
        if same_entry or similarity(title, item_title) >= OVERLAP_THRESHOLD:
            overlapping.append((pk, number, item_title))
    if not overlapping:
        return []
    shared = set(
        AdmittedScope.objects.filter(
            item_id__in=[pk for pk, _n, _t in overlapping], community_id__in=community_ids
        ).values_list("item_id", flat=True)
    )
    return [
        {
            "kind": "overlap",
            "message": _(
                "与已准入事项%(number)s“%(title)s”内容相近、社区重叠，请审核人员核对是否重复。"
            )
            % {"number": number, "title": item_title},
            "ref": pk,
        }
        for pk, number, item_title in overlapping
        if pk in shared
    ]


def refuse_withdrawn_power(entry: ListEntry) -> None:
    """A power the higher level took back (上级收回) is no ground for a street office's work."""
    if entry.kind == ListKind.POWER and entry.category == PowerCategory.WITHDRAWN:
        raise ValidationError(
            _(
                "街道办事处权力清单“%(key)s %(title)s”已由上级收回（%(basis)s），"
                "街道办事处不能据此向社区布置工作。"
            ),
            params={"key": entry.key, "title": entry.title, "basis": entry.legal_basis or "-"},
            code="power_withdrawn",
        )


def power_list_findings(
    district: Place, title: str, description: str, cited_entry: ListEntry | None
) -> list[dict]:
    """A street office's application against the street power list in force: one that looks
    like a withdrawn power is refused; one that cites no power (basic or cooperative) is
    incomplete until it does."""
    powers = list(entries_in_force(district, ListKind.POWER))
    if cited_entry is not None and cited_entry.kind == ListKind.POWER:
        return []
    for entry in powers:
        if entry.category == PowerCategory.WITHDRAWN and (
            similarity(title, entry.title) >= OVERLAP_THRESHOLD
            or normalise(entry.title) in normalise(f"{title}{description}")
        ):
            refuse_withdrawn_power(entry)
    if not powers:
        message = _("本区尚未发布街道办事处权力清单，街道办事处的申请无法核对职权范围")
    else:
        message = _(
            "未引用街道办事处权力清单中的事项：街道办事处只能在权力清单"
            "（基本履职、配合履职）范围内向社区布置工作"
        )
    return [{"kind": "incomplete", "message": message, "ref": None}]


def _missing(*, kind, form_fields, legal_basis, cited_entry, funding_fen) -> list[str]:
    """What an application lacks to be reviewed (it is then incomplete)."""
    missing = []
    if kind == WorkKind.FORM and not form_fields:
        missing.append(_("未列出报表字段（用于与已有报表比对，避免重复填报）"))
    if not (legal_basis or "").strip() and cited_entry is None:
        missing.append(_("未说明法律政策依据"))
    if not funding_fen:
        missing.append(_("未安排随事转移的经费（费随事转）"))
    return missing
