"""Every write of the admission gate. Keyword-only, atomic, permission-checked, audited."""

import datetime
import functools
import re
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from admission import defaults
from admission.models import (
    AdmissionPolicy,
    AdmissionRequest,
    AdmittedItem,
    AdmittedScope,
    CertificateAnswer,
    CertificateCategory,
    Frequency,
    JointMeeting,
    ListEntry,
    ListKind,
    ListVersion,
    PowerCategory,
    WorkKind,
)
from admission.rules import officer_departments
from core import audit, clock
from core import calendar as workcal
from core.clock import one_write
from core.identifiers import to_halfwidth
from core.models import Department, Place, PlaceLevel, Role
from core.selectors import role_holders
from core.services import notify
from core.validation import clean_text as _text
from core.validation import require_perm as _require

DEFAULT_REVIEW_WORKING_DAYS = 15
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def _district(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("清单和准入按区设置，请选择一个区。"))
    return place


def local_today() -> datetime.date:
    return workcal.local_today()


# ---------------------------------------------------------------- lists


def version_in_force(district: Place, kind: str, on: datetime.date | None = None):
    """The published version of `kind` in force in `district` on `on` (default today)."""
    on = on or local_today()
    return (
        ListVersion.objects.filter(
            district=district,
            kind=kind,
            status=ListVersion.Status.PUBLISHED,
            effective_from__lte=on,
        )
        .order_by("-effective_from", "-number")
        .first()
    )


def entries_in_force(district: Place, kind: str, on: datetime.date | None = None):
    version = version_in_force(district, kind, on)
    if version is None:
        return ListEntry.objects.none()
    return version.entries.select_related("department")


def _department_by_code(district: Place, code: str) -> Department | None:
    if not code:
        return None
    return Department.objects.filter(district=district, short_code=code).first()


@one_write
def lists_seed(*, actor, district: Place, on: datetime.date | None = None) -> dict[str, int]:
    """Load the default lists as published version 1 for every list the district lacks.

    Idempotent: a list that already has any version is left alone. Returns {kind: entries}.
    """
    district = _district(Place.objects.select_for_update().get(pk=district.pk))
    _require(actor, "admission.edit_lists", district)
    on = on or local_today()
    loaded = {}
    for kind in ListKind.values:
        if ListVersion.objects.filter(district=district, kind=kind).exists():
            continue
        version = ListVersion.objects.create(
            district=district, kind=kind, number=1, status=ListVersion.Status.PUBLISHED,
            effective_from=on, source=str(defaults.SOURCES[kind]),
            note=_("默认清单（可编辑）"), created_by=_u(actor), published_by=_u(actor),
            published_at=clock.now(),
        )  # fmt: skip
        rows = defaults.entries_for(kind)
        ListEntry.objects.bulk_create(
            [
                ListEntry(
                    version=version,
                    district=district,
                    kind=kind,
                    key=row["key"],
                    title=row["title"],
                    category=row.get("category", ""),
                    legal_basis=row.get("legal_basis", ""),
                    department=_department_by_code(district, row.get("department", "")),
                    handled_by=row.get("handled_by", ""),
                    keywords=row.get("keywords", ""),
                    position=i,
                )
                for i, row in enumerate(rows, start=1)
            ]
        )
        loaded[kind] = len(rows)
    if loaded:
        audit.record(
            actor=actor, action="admission.lists_seed", obj=district, changes={"loaded": loaded}
        )
    return loaded


@one_write
def list_draft_start(*, actor, district: Place, kind: str) -> ListVersion:
    """The draft of the next version of a list: the open one, or a new copy of the latest."""
    district = _district(district)
    _require(actor, "admission.edit_lists", district)
    if kind not in ListKind.values:
        raise ValidationError(_("未知的清单类型。"))
    draft = (
        ListVersion.objects.select_for_update()
        .filter(district=district, kind=kind, status=ListVersion.Status.DRAFT)
        .first()
    )
    if draft is not None:
        return draft
    latest = ListVersion.objects.filter(district=district, kind=kind).order_by("-number").first()
    draft = ListVersion.objects.create(
        district=district, kind=kind, number=(latest.number + 1) if latest else 1,
        status=ListVersion.Status.DRAFT, source=latest.source if latest else "",
        based_on=latest, created_by=_u(actor),
    )  # fmt: skip
    if latest is not None:
        ListEntry.objects.bulk_create(
            [
                ListEntry(
                    version=draft,
                    district=district,
                    kind=kind,
                    key=e.key,
                    title=e.title,
                    category=e.category,
                    legal_basis=e.legal_basis,
                    department_id=e.department_id,
                    handled_by=e.handled_by,
                    keywords=e.keywords,
                    note=e.note,
                    position=e.position,
                )  # fmt: skip
                for e in latest.entries.all()
            ]
        )
    audit.record(
        actor=actor, action="admission.list_draft", obj=draft, place=district,
        changes={"kind": kind, "number": draft.number},
    )  # fmt: skip
    return draft


def _check_category(kind: str, category: str) -> str:
    category = (category or "").strip()
    if kind == ListKind.POWER and category not in PowerCategory.values:
        raise ValidationError(_("权力清单事项的类别应为基本履职、配合履职或上级收回。"))
    if kind == ListKind.CERTIFICATE and category not in CertificateCategory.values:
        raise ValidationError(_("证明事项的类别应为“社区不应出具”或“社区可以出具”。"))
    return category[:100]


@one_write
def list_entry_save(
    *,
    actor,
    version: ListVersion,
    key: str,
    title: str,
    category: str = "",
    legal_basis: str = "",
    department: Department | None = None,
    handled_by: str = "",
    keywords: str = "",
    note: str = "",
) -> ListEntry:
    """Add an entry to a draft, or change the draft's entry with the same key."""
    version = ListVersion.objects.select_for_update().get(pk=version.pk)
    _require(actor, "admission.edit_lists", version.district)
    if version.status != ListVersion.Status.DRAFT:
        raise ValidationError(_("已发布的版本不能修改，请先新建草稿。"))
    key = (key or "").strip()
    if not KEY_PATTERN.match(key):
        raise ValidationError(_("编号应为1–32位字母、数字、-或_。"), code="key")
    values = {
        "title": _text(title, _("事项名称")),
        "category": _check_category(version.kind, category),
        "legal_basis": _text(legal_basis, _("法律政策依据"), required=False, limit=2000),
        "department": department,
        "handled_by": _text(handled_by, _("办理机关"), required=False),
        "keywords": _text(keywords, _("匹配关键词"), required=False, limit=300),
        "note": _text(note, _("说明"), required=False, limit=2000),
    }
    if department is not None and department.district_id != version.district_id:
        raise ValidationError(_("责任部门不属于本区。"))
    if version.kind == ListKind.CERTIFICATE and (
        values["category"] == CertificateCategory.MUST_NOT_ISSUE and not values["handled_by"]
    ):
        raise ValidationError(_("社区不应出具的证明须注明由哪个机关办理。"))
    if version.kind == ListKind.NEGATIVE and not values["keywords"]:
        raise ValidationError(_("负面清单事项须填写匹配关键词，用于自动比对申请。"))
    entry = ListEntry.objects.filter(version=version, key=key).first()
    if entry is None:
        position = (version.entries.aggregate(m=Max("position"))["m"] or 0) + 1
        entry = ListEntry.objects.create(
            version=version, district_id=version.district_id, kind=version.kind, key=key,
            position=position, **values,
        )  # fmt: skip
        changes = {"key": key, "title": values["title"]}
        action = "admission.list_entry_add"
    else:
        changes = audit.diff(entry, **values)
        for name, value in values.items():
            setattr(entry, name, value)
        entry.save()
        action = "admission.list_entry_change"
    audit.record(
        actor=actor, action=action, obj=entry, place=version.district,
        changes={"version": str(version), **changes},
    )  # fmt: skip
    return entry


@one_write
def list_entry_remove(*, actor, entry: ListEntry) -> None:
    version = ListVersion.objects.select_for_update().get(pk=entry.version_id)
    _require(actor, "admission.edit_lists", version.district)
    if version.status != ListVersion.Status.DRAFT:
        raise ValidationError(_("已发布的版本不能修改，请先新建草稿。"))
    audit.record(
        actor=actor, action="admission.list_entry_remove", obj=entry, place=version.district,
        changes={"version": str(version), "key": entry.key, "title": entry.title},
    )  # fmt: skip
    entry.delete()  # a draft's entry: nothing refers to it yet


@one_write
def list_publish(
    *, actor, version: ListVersion, effective_from: datetime.date, source: str = "", note: str = ""
) -> ListVersion:
    """Publish a draft: from `effective_from` on it is the list in force."""
    version = ListVersion.objects.select_for_update().get(pk=version.pk)
    _require(actor, "admission.edit_lists", version.district)
    if version.status != ListVersion.Status.DRAFT:
        raise ValidationError(_("该版本已发布。"))
    if not isinstance(effective_from, datetime.date):
        raise ValidationError(_("请填写生效日期。"))
    if effective_from < local_today():
        raise ValidationError(_("生效日期不能早于今天。"))
    latest = (
        ListVersion.objects.filter(
            district=version.district, kind=version.kind, status=ListVersion.Status.PUBLISHED
        )
        .order_by("-effective_from")
        .first()
    )
    if latest is not None and effective_from < latest.effective_from:
        raise ValidationError(
            _("生效日期不能早于上一版（第%(n)d版，%(d)s生效）。"),
            params={"n": latest.number, "d": latest.effective_from},
        )
    if not version.entries.exists():
        raise ValidationError(_("清单为空，不能发布。"))
    version.status = ListVersion.Status.PUBLISHED
    version.effective_from = effective_from
    version.source = _text(source, _("依据"), required=False, limit=300) or version.source
    version.note = _text(note, _("修订说明"), required=False, limit=2000) or version.note
    version.published_by = _u(actor)
    version.published_at = clock.now()
    version.save()
    audit.record(
        actor=actor, action="admission.list_publish", obj=version, place=version.district,
        changes={"effective_from": effective_from, "entries": version.entries.count()},
    )  # fmt: skip
    return version


# ---------------------------------------------------------------- review settings


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


# ---------------------------------------------------------------- automatic checks


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
    exclude_request: int | None = None,
    kind: str = "",
    form_fields: list[str] | None = None,
) -> tuple[str, list[dict], ListEntry | None]:
    """Run the submission checks: (status, findings, matched negative entry).

    Raises ValidationError when the same work is already admitted (pointing to it). The fields
    of a form are compared with the forms the district already keeps (flagged for review).
    """
    S = AdmissionRequest.Status
    findings: list[dict] = []
    entry, word = negative_match(district, f"{title}\n{description}", cited_entry)
    if entry is not None:
        findings.append(
            {
                "kind": "negative",
                "message": _("命中负面清单“%(key)s %(title)s”（关键词“%(word)s”；依据：%(basis)s）")
                % {
                    "key": entry.key,
                    "title": entry.title,
                    "word": word,
                    "basis": entry.legal_basis,
                },
                "ref": entry.pk,
            }
        )
        return S.REFUSED_NEGATIVE, findings, entry
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
        other = bigrams(item_title)
        overlap = len(grams & other) / len(grams | other) if grams and other else 0.0
        if same_entry or overlap >= OVERLAP_THRESHOLD:
            overlapping.append((pk, number, item_title))
    if overlapping:
        shared = set(
            AdmittedScope.objects.filter(
                item_id__in=[pk for pk, _n, _t in overlapping], community_id__in=community_ids
            ).values_list("item_id", flat=True)
        )
        for pk, number, item_title in overlapping:
            if pk in shared:
                findings.append(
                    {
                        "kind": "overlap",
                        "message": _(
                            "与已准入事项%(number)s“%(title)s”内容相近、社区重叠，请审核人员核对是否重复。"
                        )
                        % {"number": number, "title": item_title},
                        "ref": pk,
                    }
                )
    findings.extend(form_overlaps(district, form_fields or []))
    missing = []
    if kind == WorkKind.FORM and not form_fields:
        missing.append(_("未列出报表字段（用于与已有报表比对，避免重复填报）"))
    if not (legal_basis or "").strip() and cited_entry is None:
        missing.append(_("未说明法律政策依据"))
    if not funding_fen:
        missing.append(_("未安排随事转移的经费（费随事转）"))
    for message in missing:
        findings.append({"kind": "incomplete", "message": message, "ref": None})
    return (S.INCOMPLETE if missing else S.UNDER_REVIEW), findings, None


# ---------------------------------------------------------------- requests


def _coordinators(district: Place):
    return role_holders({Role.COORDINATOR}, places=[district])


def _department_officers(department: Department):
    return role_holders({Role.DEPARTMENT_OFFICER}, department=department)


def _request_url(request: AdmissionRequest) -> str:
    return reverse("admission:request_detail", args=[request.pk])


def _next_number(district: Place, prefix: str, model) -> str:
    """District-wide sequence per year; the caller holds the district row lock."""
    year = clock.today().year
    stem = f"{district.code}-{prefix}{year}-"
    count = model.objects.filter(district=district, number__startswith=stem).count()
    return f"{stem}{count + 1:04d}"


def _cited(district: Place, cited_entry: ListEntry | None) -> ListEntry | None:
    if cited_entry is None:
        return None
    in_force = version_in_force(district, cited_entry.kind)
    if in_force is None or cited_entry.version_id != in_force.pk:
        raise ValidationError(
            _("所引清单事项“%(key)s %(title)s”不在现行有效的清单中，请引用现行版本的事项。"),
            params={"key": cited_entry.key, "title": cited_entry.title},
            code="entry_not_in_force",
        )
    if cited_entry.kind not in (ListKind.DUTY, ListKind.ASSISTANCE, ListKind.NEGATIVE):
        raise ValidationError(_("只能引用依法履职或依法协助清单中的事项。"))
    return cited_entry


def _communities(district: Place, communities) -> list[Place]:
    communities = list(communities or [])
    if not communities:
        raise ValidationError(_("请选择涉及的社区。"), code="communities")
    for place in communities:
        if (
            place.level != PlaceLevel.COMMUNITY
            or place.district_id != district.pk
            or not place.is_active
        ):
            raise ValidationError(_("“%(name)s”不是本区现有的社区。"), params={"name": place.name})
    return communities


def _amounts(minutes, funding_fen) -> tuple[int, int]:
    try:
        minutes, funding_fen = int(minutes), int(funding_fen or 0)
    except (TypeError, ValueError):
        raise ValidationError(_("用时和经费应为整数（分钟、分）。")) from None
    if minutes <= 0 or minutes > 100_000:
        raise ValidationError(_("每社区预计用时应在1至100000分钟之间。"))
    if funding_fen < 0 or funding_fen > 10**13:
        raise ValidationError(_("经费金额超出范围。"))
    return minutes, funding_fen


@one_write
def request_submit(
    *,
    actor,
    department: Department,
    kind: str,
    title: str,
    description: str = "",
    legal_basis: str = "",
    cited_entry: ListEntry | None = None,
    communities,
    frequency: str,
    minutes_per_community: int,
    funding_fen: int = 0,
    period_start: datetime.date,
    period_end: datetime.date,
    submit_token: str,
    form_fields=None,
) -> AdmissionRequest:
    """A department applies to push work onto communities. Checked at once:
    negative list → refused on the spot; already admitted → error pointing to it;
    overlap → flagged; no legal basis or funding → incomplete."""
    district = Place.objects.select_for_update().get(pk=department.district_id)
    _require(actor, "admission.apply", district, _("只有本区职能部门的工作人员可以提出准入申请。"))
    if department not in officer_departments(actor, district):
        raise PermissionDenied(_("您只能以本部门的名义提出申请。"))
    token = (submit_token or "").strip()[:64]
    if not token:
        raise ValidationError(_("缺少提交标识，请刷新页面后重试。"))
    previous = AdmissionRequest.objects.filter(applicant=actor, submit_token=token).first()
    if previous is not None:
        raise ValidationError(
            _("这份申请已经提交过（%(number)s），请勿重复提交。"),
            params={"number": previous.number},
            code="duplicate_submit",
        )
    if kind not in WorkKind.values:
        raise ValidationError(_("请选择事项类型。"))
    if frequency not in Frequency.values:
        raise ValidationError(_("请选择频次。"))
    title = _text(title, _("事项名称"))
    description = _text(description, _("内容"), required=False, limit=5000)
    legal_basis = _text(legal_basis, _("法律政策依据"), required=False, limit=2000)
    minutes, funding_fen = _amounts(minutes_per_community, funding_fen)
    if not (isinstance(period_start, datetime.date) and isinstance(period_end, datetime.date)):
        raise ValidationError(_("请填写起止日期。"))
    if period_end < period_start:
        raise ValidationError(_("截止日期不能早于起始日期。"))
    cited_entry = _cited(district, cited_entry)
    communities = _communities(district, communities)
    form_fields = clean_form_fields(form_fields)
    status, findings, negative = check_application(
        district=district, department=department, title=title, description=description,
        legal_basis=legal_basis, cited_entry=cited_entry, funding_fen=funding_fen,
        community_ids={c.pk for c in communities}, period_start=period_start,
        period_end=period_end, kind=kind, form_fields=form_fields,
    )  # fmt: skip
    now = clock.now()
    request = AdmissionRequest(
        district=district, department=department, applicant=actor,
        number=_next_number(district, "SQ", AdmissionRequest), kind=kind, title=title,
        description=description, legal_basis=legal_basis, cited_entry=cited_entry,
        frequency=frequency, minutes_per_community=minutes, funding_fen=funding_fen,
        period_start=period_start, period_end=period_end, status=status, findings=findings,
        matched_negative=negative, submitted_at=now, submit_token=token, form_fields=form_fields,
    )  # fmt: skip
    S = AdmissionRequest.Status
    if status == S.UNDER_REVIEW:
        request.review_due_at = workcal.add_working_days(now, review_working_days(district))
    if status == S.REFUSED_NEGATIVE:
        request.decided_at = now
        request.reasons = findings[0]["message"]
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(_("这份申请已经提交过，请勿重复提交。")) from None
    request.communities.set(communities)
    audit.record(
        actor=actor, action="admission.request_submit", obj=request,
        changes={"status": status, "title": title, "communities": len(communities),
                 "findings": [f["message"] for f in findings]},
    )  # fmt: skip
    _notify_after_check(request)
    return request


def _notify_after_check(request: AdmissionRequest) -> None:
    S = AdmissionRequest.Status
    url = _request_url(request)
    if request.status == S.UNDER_REVIEW:
        for user in _coordinators(request.district):
            notify(
                user=user,
                title=_("准入申请待审核：%(title)s") % {"title": request.title},
                body=_("%(dept)s提交，审核期限%(due)s。")
                % {
                    "dept": request.department.name,
                    "due": timezone.localtime(request.review_due_at).strftime("%Y-%m-%d"),
                },
                url=url,
            )
    elif request.status == S.INCOMPLETE:
        notify(
            user=request.applicant,
            title=_("准入申请材料不全：%(title)s") % {"title": request.title},
            body="；".join(f["message"] for f in request.findings if f["kind"] == "incomplete"),
            url=url,
        )
    elif request.status == S.REFUSED_NEGATIVE:
        notify(
            user=request.applicant,
            title=_("准入申请不予受理：%(title)s") % {"title": request.title},
            body=request.reasons,
            url=url,
        )


@one_write
def request_amend(
    *,
    actor,
    request: AdmissionRequest,
    legal_basis: str,
    cited_entry: ListEntry | None,
    funding_fen: int,
    form_fields=None,
) -> AdmissionRequest:
    """Complete an incomplete request (legal basis, funding, a form's fields); the checks run
    again. `form_fields` None keeps the fields given before."""
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "admission.amend_request", request)
    if request.status != AdmissionRequest.Status.INCOMPLETE:
        raise ValidationError(_("只有材料不全的申请可以补正。"))
    legal_basis = _text(legal_basis, _("法律政策依据"), required=False, limit=2000)
    _minutes, funding_fen = _amounts(request.minutes_per_community, funding_fen)
    cited_entry = _cited(request.district, cited_entry)
    form_fields = request.form_fields if form_fields is None else clean_form_fields(form_fields)
    status, findings, negative = check_application(
        district=request.district, department=request.department, title=request.title,
        description=request.description, legal_basis=legal_basis, cited_entry=cited_entry,
        funding_fen=funding_fen,
        community_ids=set(request.communities.values_list("pk", flat=True)),
        period_start=request.period_start, period_end=request.period_end,
        kind=request.kind, form_fields=form_fields,
    )  # fmt: skip
    changes = audit.diff(
        request, legal_basis=legal_basis, funding_fen=funding_fen, cited_entry=cited_entry,
        form_fields=form_fields,
    )  # fmt: skip
    request.form_fields = form_fields
    request.legal_basis, request.funding_fen, request.cited_entry = (
        legal_basis,
        funding_fen,
        cited_entry,
    )
    request.status, request.findings, request.matched_negative = status, findings, negative
    now = clock.now()
    if status == AdmissionRequest.Status.UNDER_REVIEW:
        request.review_due_at = workcal.add_working_days(now, review_working_days(request.district))
    if status == AdmissionRequest.Status.REFUSED_NEGATIVE:
        request.decided_at, request.reasons = now, findings[0]["message"]
    request.save()
    audit.record(
        actor=actor, action="admission.request_amend", obj=request,
        changes={**changes, "status": status},
    )  # fmt: skip
    _notify_after_check(request)
    return request


class Decision:
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_conditions"
    REFUSE = "refuse"
    CHOICES = (APPROVE, APPROVE_WITH_CONDITIONS, REFUSE)


@one_write
def request_prepare(*, actor, request: AdmissionRequest, opinion: str) -> AdmissionRequest:
    """The coordinator's preparation (初审): an opinion, and the request goes to the joint
    meeting. The review deadline (working days from submission) still runs."""
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "admission.review", request.district, _("只有区减负办可以审核准入申请。"))
    if request.status != AdmissionRequest.Status.UNDER_REVIEW:
        raise ValidationError(
            _("该申请当前状态为“%(status)s”，不能提交联席会议。"),
            params={"status": request.get_status_display()},
            code="not_under_review",
        )
    request.preparation = _text(opinion, _("初审意见"), limit=2000)
    request.prepared_at, request.prepared_by = clock.now(), actor
    request.status = AdmissionRequest.Status.PREPARED
    request.save(update_fields=["preparation", "prepared_at", "prepared_by", "status"])
    audit.record(
        actor=actor, action="admission.request_prepare", obj=request,
        changes={"opinion": request.preparation},
    )  # fmt: skip
    for user in _department_officers(request.department):
        notify(
            user=user,
            title=_("准入申请已提交联席会议审议：%(title)s") % {"title": request.title},
            body=_("审核期限%(due)s。")
            % {"due": timezone.localtime(request.review_due_at).strftime("%Y-%m-%d")},
            url=_request_url(request),
        )
    return request


MIN_MEETING_DEPARTMENTS = 2
MIN_MEETING_ATTENDEES = 3
_NAME_SPLIT = re.compile(r"[\n\r,，、;；]+")


@one_write
def meeting_record(
    *,
    actor,
    district: Place,
    held_on: datetime.date,
    attendees,
    departments,
    note: str = "",
    submit_token: str,
) -> JointMeeting:
    """Record a joint meeting (联席会议): its date, who attended and for which departments.
    Its decisions are then recorded request by request (request_decide)."""
    district = _district(Place.objects.select_for_update().get(pk=district.pk))
    _require(actor, "admission.review", district, _("只有区减负办可以记录联席会议。"))
    token = (submit_token or "").strip()[:64]
    if not token:
        raise ValidationError(_("缺少提交标识，请刷新页面后重试。"))
    previous = JointMeeting.objects.filter(district=district, submit_token=token).first()
    if previous is not None:
        raise ValidationError(
            _("这次会议已经记录过（%(number)s），请勿重复提交。"),
            params={"number": previous.number},
            code="duplicate_submit",
        )
    if not isinstance(held_on, datetime.date):
        raise ValidationError(_("请填写会议日期。"))
    today = local_today()
    if held_on > today:
        raise ValidationError(_("会议日期不能晚于今天：请在会后记录。"))
    if held_on < today - datetime.timedelta(days=366):
        raise ValidationError(_("会议日期过早（一年以前）。"))
    if isinstance(attendees, str):
        attendees = _NAME_SPLIT.split(attendees)
    names = list(
        dict.fromkeys(_text(n, _("出席人员"), required=False, limit=50) for n in attendees)
    )
    names = [n for n in names if n]
    if len(names) < MIN_MEETING_ATTENDEES:
        raise ValidationError(
            _("联席会议至少应有%(n)d名出席人员。"), params={"n": MIN_MEETING_ATTENDEES}
        )
    departments = list({d.pk: d for d in (departments or [])}.values())
    if any(d.district_id != district.pk for d in departments):
        raise ValidationError(_("参会部门须属于本区。"))
    if len(departments) < MIN_MEETING_DEPARTMENTS:
        raise ValidationError(
            _("联席会议至少应有%(n)d个部门参加。"), params={"n": MIN_MEETING_DEPARTMENTS}
        )
    meeting = JointMeeting.objects.create(
        district=district, number=_next_number(district, "LX", JointMeeting), held_on=held_on,
        attendees="\n".join(names), note=_text(note, _("会议纪要"), required=False, limit=5000),
        recorded_by=actor, submit_token=token,
    )  # fmt: skip
    meeting.departments.set(departments)
    audit.record(
        actor=actor, action="admission.meeting_record", obj=meeting,
        changes={"held_on": held_on, "attendees": names,
                 "departments": [d.name for d in departments]},
    )  # fmt: skip
    return meeting


@one_write
def request_decide(
    *,
    actor,
    request: AdmissionRequest,
    meeting: JointMeeting,
    decision: str,
    reasons: str = "",
    conditions: str = "",
) -> AdmissionRequest:
    """The joint meeting's decision on a prepared request, recorded by the coordinator.
    Approval enters the work into the admitted catalogue."""
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "admission.review", request.district, _("只有区减负办可以审核准入申请。"))
    S = AdmissionRequest.Status
    if request.status != S.PREPARED:
        raise ValidationError(
            _("该申请当前状态为“%(status)s”，不能作出决定。"),
            params={"status": request.get_status_display()},
            code="not_prepared",
        )
    if meeting is None or meeting.district_id != request.district_id:
        raise ValidationError(_("请选择作出决定的本区联席会议。"), code="meeting")
    if meeting.held_on < timezone.localtime(request.prepared_at).date():
        raise ValidationError(
            _("该会议（%(date)s）早于初审（%(prepared)s），不能审议这份申请。"),
            params={
                "date": meeting.held_on,
                "prepared": timezone.localtime(request.prepared_at).date(),
            },
        )
    if decision not in Decision.CHOICES:
        raise ValidationError(_("请选择审核结论。"))
    reasons = _text(reasons, _("理由"), required=decision == Decision.REFUSE, limit=2000)
    conditions = _text(
        conditions,
        _("附加条件"),
        required=decision == Decision.APPROVE_WITH_CONDITIONS,
        limit=2000,
    )
    now = clock.now()
    request.status = {
        Decision.APPROVE: S.APPROVED,
        Decision.APPROVE_WITH_CONDITIONS: S.APPROVED_WITH_CONDITIONS,
        Decision.REFUSE: S.REFUSED,
    }[decision]
    request.reasons, request.conditions = reasons, conditions
    request.decided_at, request.decided_by, request.meeting = now, actor, meeting
    request.save()
    item = None
    if request.is_approved:
        item = AdmittedItem.objects.create(
            district=request.district, request=request, department=request.department,
            number=_next_number(request.district, "ZR", AdmittedItem), kind=request.kind,
            title=request.title, legal_basis=request.legal_basis, cited_entry=request.cited_entry,
            frequency=request.frequency, minutes_per_community=request.minutes_per_community,
            funding_fen=request.funding_fen, period_start=request.period_start,
            period_end=request.period_end, conditions=conditions,
            status=AdmittedItem.Status.ACTIVE, admitted_at=now,
        )  # fmt: skip
        AdmittedScope.objects.bulk_create(
            [
                AdmittedScope(item=item, community=c, district_id=request.district_id)
                for c in request.communities.all()
            ]
        )
    late = request.review_due_at is not None and now > request.review_due_at
    audit.record(
        actor=actor, action="admission.request_decide", obj=request,
        changes={"decision": decision, "reasons": reasons, "conditions": conditions,
                 "meeting": meeting.number, "late": late,
                 "admitted_item": item.number if item else None},
    )  # fmt: skip
    title = _("准入申请已审核：%(title)s（%(status)s）") % {
        "title": request.title,
        "status": request.get_status_display(),
    }
    body = _("联席会议%(number)s（%(date)s）决定。%(text)s") % {
        "number": meeting.number,
        "date": meeting.held_on.isoformat(),
        "text": reasons or conditions,
    }
    for user in _department_officers(request.department):
        notify(user=user, title=title, body=body, url=_request_url(request))
    if item is not None:
        communities = request.communities.all()
        for user in role_holders({Role.COMMUNITY_WORKER}, places=communities):
            notify(
                user=user,
                title=_("新准入事项：%(title)s") % {"title": item.title},
                body=_("%(dept)s，%(freq)s，每社区约%(min)d分钟。")
                % {
                    "dept": item.department.name,
                    "freq": item.get_frequency_display(),
                    "min": item.minutes_per_community,
                },
                url=_request_url(request),
            )
    return request


@one_write
def request_appeal(*, actor, request: AdmissionRequest, reasons: str) -> AdmissionRequest:
    """The applicant asks for a refusal to be reviewed again (once)."""
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "admission.amend_request", request)
    S = AdmissionRequest.Status
    if request.status not in (S.REFUSED, S.REFUSED_NEGATIVE):
        raise ValidationError(_("只有不予准入的申请可以申诉。"))
    if request.appealed_at is not None:
        raise ValidationError(_("该申请已申诉过一次。"))
    reasons = _text(reasons, _("申诉理由"), limit=2000)
    now = clock.now()
    request.appeal, request.appealed_at = reasons, now
    request.status = S.UNDER_REVIEW
    request.review_due_at = workcal.add_working_days(now, review_working_days(request.district))
    request.save()
    audit.record(
        actor=actor, action="admission.request_appeal", obj=request, changes={"reasons": reasons}
    )
    for user in _coordinators(request.district):
        notify(
            user=user,
            title=_("准入申诉待复核：%(title)s") % {"title": request.title},
            body=reasons,
            url=_request_url(request),
        )
    return request


@one_write
def request_withdraw(*, actor, request: AdmissionRequest) -> AdmissionRequest:
    """The applicant takes back a request still under review or incomplete."""
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "admission.amend_request", request)
    if not request.is_open:
        raise ValidationError(_("只有审核中或材料不全的申请可以撤回。"))
    request.status = AdmissionRequest.Status.WITHDRAWN
    request.save(update_fields=["status"])
    audit.record(actor=actor, action="admission.request_withdraw", obj=request)
    return request


@one_write
def item_withdraw(*, actor, item: AdmittedItem, reasons: str) -> AdmittedItem:
    """退出: an admitted item leaves the catalogue; no new tasks may come from it."""
    item = AdmittedItem.objects.select_for_update().get(pk=item.pk)
    _require(actor, "admission.withdraw_item", item, _("只有区减负办可以决定事项退出。"))
    if item.status != AdmittedItem.Status.ACTIVE:
        raise ValidationError(_("该事项已退出。"))
    item.status = AdmittedItem.Status.WITHDRAWN
    item.withdrawn_at = clock.now()
    item.withdrawal_reasons = _text(reasons, _("退出理由"), limit=2000)
    item.save()
    audit.record(
        actor=actor, action="admission.item_withdraw", obj=item,
        changes={"reasons": item.withdrawal_reasons},
    )  # fmt: skip
    for user in _department_officers(item.department):
        notify(
            user=user,
            title=_("准入事项已退出：%(title)s") % {"title": item.title},
            body=item.withdrawal_reasons,
            url=_request_url(item.request),
        )
    return item


def item_is_usable(item: AdmittedItem, on: datetime.date | None = None) -> bool:
    on = on or local_today()
    return item.status == AdmittedItem.Status.ACTIVE and item.period_start <= on <= item.period_end


def _u(actor):
    return actor if getattr(actor, "pk", None) else None


# ---------------------------------------------------------------- certificates


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
