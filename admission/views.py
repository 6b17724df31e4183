"""Admission pages. Thin: parse the form, call a service, show the result or the error."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from admission import selectors, services, steps
from admission.forms import (
    CertificateForm,
    DecisionForm,
    EntryForm,
    MeetingForm,
    PolicyForm,
    PublishForm,
    RequestForm,
    step_data,
    step_form,
)
from admission.models import (
    AdmissionRequest,
    CertificateAnswer,
    CertificateCategory,
    ListKind,
    ListVersion,
    PowerCategory,
)
from admission.offices import officer_streets
from admission.rules import certificate_communities
from core.models import Department, Place, PlaceLevel
from core.pdf import pdf_response
from core.refusals import attempt, refusals_shown_on
from core.rules import officer_departments
from core.validation import refuse_nul, search_query


def _not_found():
    raise Http404(_("没有找到，或您无权查看。"))


def _district(request) -> Place:
    """The district the page is about: ?district=, else the user's first."""
    districts = selectors.user_districts(request.user)
    wanted = request.GET.get("district") or request.POST.get("district")
    if wanted:
        district = districts.filter(pk=wanted).first() if str(wanted).isdigit() else None
        if district is None:
            _not_found()
        return district
    district = districts.order_by("code").first()
    if district is None:
        raise PermissionDenied(_("您尚未分配到任何区，无法查看清单。"))
    return district


def _kind(value: str) -> str:
    return value if value in ListKind.values else ListKind.DUTY


# ---------------------------------------------------------------- lists


@login_required
def lists(request):
    """The lists in force, one tab per kind, with their versions."""
    district = _district(request)
    kind = _kind(request.GET.get("kind", ""))
    version = services.version_in_force(district, kind)
    entries = version.entries.select_related("department") if version else []
    versions = selectors.list_versions(request.user, district, kind)
    can_edit = request.user.has_perm("admission.edit_lists", district)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有区减负办和管理员可以修改清单。"))
        with refusals_shown_on(request):
            if request.POST.get("action") == "seed":
                loaded = services.lists_seed(actor=request.user, district=district)
                messages.success(request, _("已载入默认清单 %(n)d 个。") % {"n": len(loaded)})
                return redirect(f"{request.path}?kind={kind}")
            draft = services.list_draft_start(actor=request.user, district=district, kind=kind)
            return redirect("admission:version_detail", pk=draft.pk)
    return render(
        request,
        "admission/lists.html",
        {
            "district": district,
            "kind": kind,
            "kind_label": ListKind(kind).label,
            "kinds": ListKind.choices,
            "version": version,
            "entries": entries,
            "versions": versions,
            "can_edit": can_edit,
            "upcoming": [
                v
                for v in versions
                if v.status == "published" and version and v.number > version.number
            ],
        },
    )


def _version(request, pk) -> ListVersion:
    version = get_object_or_404(ListVersion.objects.select_related("district"), pk=pk)
    visible = selectors.list_versions(request.user, version.district, version.kind)
    if version.district_id not in {d.pk for d in selectors.user_districts(request.user)} or not (
        visible.filter(pk=pk).exists()
    ):
        _not_found()
    return version


def _categories(kind):
    if kind == ListKind.POWER:
        return PowerCategory.choices
    if kind == ListKind.CERTIFICATE:
        return CertificateCategory.choices
    return None


@login_required
def version_detail(request, pk):
    version = _version(request, pk)
    user = request.user
    can_edit = version.status == "draft" and user.has_perm("admission.edit_lists", version.district)
    departments = Department.objects.filter(district=version.district, is_active=True)
    entry_form = EntryForm(departments=departments, categories=_categories(version.kind))
    publish_form = PublishForm(initial={"source": version.source})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有区减负办和管理员可以修改草稿。"))
        action = request.POST.get("action")
        if action == "save_entry":
            entry_form = EntryForm(
                request.POST, departments=departments, categories=_categories(version.kind)
            )
        elif action == "publish":
            publish_form = PublishForm(request.POST)
        with refusals_shown_on(publish_form if action == "publish" else entry_form):
            if action == "save_entry" and entry_form.is_valid():
                services.list_entry_save(actor=user, version=version, **entry_form.cleaned_data)
                messages.success(
                    request,
                    _("已把“%(t)s”存入草稿；发布新版本后才生效。")
                    % {"t": entry_form.cleaned_data["title"]},
                )
                return redirect("admission:version_detail", pk=version.pk)
            if action == "remove_entry":
                entry = get_object_or_404(version.entries, pk=request.POST.get("entry"))
                services.list_entry_remove(actor=user, entry=entry)
                messages.success(request, _("已从草稿中删除“%(t)s”。") % {"t": entry.title})
                return redirect("admission:version_detail", pk=version.pk)
            if action == "publish" and publish_form.is_valid():
                services.list_publish(actor=user, version=version, **publish_form.cleaned_data)
                messages.success(request, _("已发布。"))
                return redirect("admission:version_detail", pk=version.pk)
    edit_key = request.GET.get("edit", "")
    if can_edit and edit_key and not entry_form.is_bound:
        entry = version.entries.filter(key=edit_key).first()
        if entry is not None:
            entry_form = EntryForm(
                initial={
                    "key": entry.key, "title": entry.title, "category": entry.category,
                    "legal_basis": entry.legal_basis, "department": entry.department_id,
                    "handled_by": entry.handled_by, "keywords": entry.keywords,
                },
                departments=departments, categories=_categories(version.kind),
            )  # fmt: skip
    previous = version.based_on or (
        ListVersion.objects.filter(
            district=version.district, kind=version.kind, number__lt=version.number
        )
        .order_by("-number")
        .first()
    )
    return render(
        request,
        "admission/version_detail.html",
        {
            "version": version,
            "entries": version.entries.select_related("department"),
            "can_edit": can_edit,
            "entry_form": entry_form,
            "publish_form": publish_form,
            "previous": previous,
            "in_force": services.version_in_force(version.district, version.kind),
        },
    )


@login_required
def version_diff(request, pk):
    """What changed in version `pk` against ?against= (default: the version before it)."""
    new = _version(request, pk)
    against = request.GET.get("against", "")
    if against.isdigit():
        old = _version(request, int(against))
        if (old.district_id, old.kind) != (new.district_id, new.kind):
            _not_found()
    else:
        old = new.based_on or (
            ListVersion.objects.filter(district=new.district, kind=new.kind, number__lt=new.number)
            .order_by("-number")
            .first()
        )
    if old is None:
        messages.info(request, _("这是该清单的第一个版本，没有可比较的上一版。"))
        return redirect("admission:version_detail", pk=new.pk)
    return render(
        request,
        "admission/version_diff.html",
        {
            "old": old,
            "new": new,
            "diff": selectors.diff_versions(old, new),
            "versions": selectors.list_versions(request.user, new.district, new.kind),
        },
    )


# ---------------------------------------------------------------- requests


def _district_communities(district):
    return Place.objects.filter(
        district=district, level=PlaceLevel.COMMUNITY, is_active=True
    ).order_by("code")


@login_required
def request_list(request):
    requests = selectors.requests_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in AdmissionRequest.Status.values:
        requests = requests.filter(status=status)
    page = Paginator(requests.order_by("-submitted_at", "-pk"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "admission/request_list.html",
        {
            "page": page,
            "status": status,
            "statuses": AdmissionRequest.Status.choices,
            "can_apply": bool(officer_departments(request.user) or officer_streets(request.user)),
            "waiting": selectors.reviews_waiting_for(request.user).count(),
        },
    )


def _applicant_of(user):
    """(department, street, district, communities) a user applies for: their department (all the
    district's communities), else their street's office (the street's communities)."""
    departments = officer_departments(user)
    if departments:
        district = departments[0].district
        return departments[0], None, district, _district_communities(district)
    streets = officer_streets(user)
    if streets:
        street = streets[0]
        communities = _district_communities(street.district).filter(parent=street)
        return None, street, street.district, communities
    raise PermissionDenied(_("只有职能部门或街道工作人员可以提出准入申请。"))


@login_required
def request_new(request):
    department, street, district, communities = _applicant_of(request.user)
    form = RequestForm(
        request.POST or None,
        entries=selectors.citable_entries(district, street_office=street is not None),
        communities=communities,
    )
    if street is not None:
        form.fields["cited_entry"].label = _("对应街道办事处权力清单事项")
        form.fields["all_communities"].label = _("本街道所有社区")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_shown_on(form):
            created = services.request_submit(
                actor=request.user, department=department, street=street, kind=data["kind"],
                title=data["title"], description=data["description"],
                legal_basis=data["legal_basis"], cited_entry=data["cited_entry"],
                communities=data["communities"], frequency=data["frequency"],
                minutes_per_community=data["minutes_per_community"],
                funding_fen=data["funding"], period_start=data["period_start"],
                period_end=data["period_end"], submit_token=data["submit_token"],
                form_fields=data["form_fields"], materials=data["materials"],
                criteria=data["criteria"],
            )  # fmt: skip
            tone = {
                AdmissionRequest.Status.REFUSED_NEGATIVE: messages.ERROR,
                AdmissionRequest.Status.INCOMPLETE: messages.WARNING,
            }.get(created.status, messages.SUCCESS)
            messages.add_message(
                request,
                tone,
                _("申请%(number)s：%(status)s。")
                % {"number": created.number, "status": created.get_status_display()},
            )
            return redirect("admission:request_detail", pk=created.pk)
    applicant = department.name if department else _("%(street)s办事处") % {"street": street.name}
    return render(
        request,
        "admission/request_form.html",
        {"form": form, "applicant": applicant, "street": street},
    )


@login_required
def request_detail(request, pk):
    """The request, its checks and decision, and the steps the user may take now: one form per
    step of the table (admission.steps), all posted here with ``action`` = the step's name."""
    user = request.user
    item = get_object_or_404(
        selectors.requests_visible_to(user).select_related(
            "cited_entry", "matched_negative", "applicant", "decided_by"
        ),
        pk=pk,
    )
    available = steps.available_steps(user, item)
    posted = None
    if request.method == "POST":
        step = steps.BY_NAME.get(request.POST.get("action", ""))
        if step is None:
            messages.error(request, _("未知的操作。"))
        else:
            form = step_form(step, item, request.POST)
            # The page shows the form of an available step: its refusal lands there. A step
            # the user may not take now goes to the service all the same, which says why not.
            shown = step in available and not step.link
            if (form.is_valid() or not shown) and attempt(
                request, step.run, on_form=form if shown else None, done_message=step.done,
                actor=user, request=item, data=step_data(step, form),
            ):  # fmt: skip
                return redirect("admission:request_detail", pk=item.pk)
            posted = (step, form)
    admitted = steps.admitted_item(item)
    return render(
        request,
        "admission/request_detail.html",
        {
            "item": item,
            "communities": item.communities.order_by("code"),
            "admitted": admitted,
            "steps": [
                {
                    "step": step,
                    "form": posted[1] if posted and posted[0] is step else step_form(step, item),
                }
                for step in available
            ],
        },
    )


@login_required
def decisions(request):
    """Every decision with its reasons, visible to every community of the district."""
    page = Paginator(
        selectors.decisions_visible_to(request.user).order_by("-decided_at", "-pk"), 30
    ).get_page(request.GET.get("page"))
    return render(request, "admission/decisions.html", {"page": page})


def _reviewer_district(user):
    """The district where the user reviews admission requests (None if nowhere)."""
    return next(iter(selectors.review_districts(user)), None)


@login_required
def meetings(request):
    """Joint meetings (联席会议) and their decisions, public to every community of the district;
    the coordinator records a meeting here and sees what waits for one."""
    user = request.user
    district = _reviewer_district(user)
    form = None
    if district is not None:
        form = MeetingForm(
            request.POST or None,
            departments=Department.objects.filter(district=district).order_by("name"),
            initial={"held_on": services.local_today()},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            with refusals_shown_on(form):
                meeting = services.meeting_record(
                    actor=user, district=district, held_on=data["held_on"],
                    attendees=data["attendees"], departments=data["departments"],
                    note=data["note"], submit_token=data["submit_token"],
                )  # fmt: skip
                messages.success(request, _("已记录联席会议，请逐项记录会议决定。"))
                return redirect("admission:meeting_detail", pk=meeting.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("只有区减负办可以记录联席会议。"))
    page = Paginator(
        selectors.meetings_visible_to(user).prefetch_related("departments", "decisions"), 20
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "admission/meetings.html",
        {"page": page, "form": form, "waiting": selectors.awaiting_meeting(user)},
    )


@login_required
def meeting_detail(request, pk):
    user = request.user
    meeting = get_object_or_404(
        selectors.meetings_visible_to(user).prefetch_related("departments"), pk=pk
    )
    can_decide = user.has_perm("admission.review", meeting.district)
    waiting = selectors.awaiting_meeting(user).filter(district=meeting.district)
    form = DecisionForm(request.POST or None, requests=waiting) if can_decide else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("只有区减负办可以记录联席会议的决定。"))
        if form.is_valid():
            data = form.cleaned_data
            with refusals_shown_on(form):
                services.request_decide(
                    actor=user, request=data["request"], meeting=meeting,
                    decision=data["decision"], reasons=data["reasons"],
                    conditions=data["conditions"],
                )  # fmt: skip
                messages.success(request, _("已记录会议决定。"))
                return redirect("admission:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "admission/meeting_detail.html",
        {
            "meeting": meeting,
            "decided": meeting.decisions.select_related("department").order_by("decided_at"),
            "form": form if waiting.exists() or (form is not None and form.is_bound) else None,
        },
    )


@login_required
def catalogue(request):
    """The admitted catalogue (准入目录) of the user's district."""
    items = selectors.admitted_items_visible_to(request.user)
    page = Paginator(items.order_by("-admitted_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(request, "admission/catalogue.html", {"page": page})


@login_required
def settings_page(request):
    district = _district(request)
    if not request.user.has_perm("admission.edit_lists", district):
        raise PermissionDenied(_("只有区减负办和管理员可以修改准入设置。"))
    form = PolicyForm(
        request.POST or None,
        initial={"review_working_days": services.review_working_days(district)},
    )
    if request.method == "POST" and form.is_valid():
        with refusals_shown_on(form):
            services.policy_set(actor=request.user, district=district, **form.cleaned_data)
            messages.success(
                request,
                _("审核期限已设为%(n)d个工作日：此后提交的准入申请按新期限计算。")
                % {"n": form.cleaned_data["review_working_days"]},
            )
            return redirect("admission:settings")
    return render(request, "admission/settings.html", {"form": form, "district": district})


# ---------------------------------------------------------------- certificates


@login_required
@refuse_nul(search=("q",))
def certificates(request):
    """Ask for a certificate: the list answers — issue it or go to the authority instead."""
    user = request.user
    district = _district(request)
    entries = services.entries_in_force(district, ListKind.CERTIFICATE)
    query = search_query(request)
    if query:
        entries = entries.filter(title__contains=query)
    communities = certificate_communities(user)
    form = None
    if communities:
        form = CertificateForm(
            request.POST or None,
            communities=Place.objects.filter(pk__in=[c.pk for c in communities]),
            entries=services.entries_in_force(district, ListKind.CERTIFICATE),
            initial={
                "entry": request.GET.get("entry")
                or (entries.first().pk if query and entries.count() == 1 else None)
            },
        )
        if request.method == "POST" and form.is_valid():
            with refusals_shown_on(form):
                answer = services.certificate_answer(actor=user, **form.cleaned_data)
                if answer.outcome == "issued":
                    messages.success(request, _("已出具证明 %(n)s。") % {"n": answer.number})
                    return redirect("admission:certificate_print", pk=answer.pk)
                messages.info(
                    request,
                    _("社区不出具“%(t)s”，请到：%(h)s。已记录本次引导。")
                    % {"t": answer.entry.title, "h": answer.handled_by},
                )
                return redirect(f"{request.path}?entry={answer.entry_id}")
    elif request.method == "POST":
        raise PermissionDenied(_("只能在本人所在或所服务的社区办理。"))
    recent = CertificateAnswer.objects.filter(
        community__in=[c.pk for c in communities] or selectors.certificate_scope(user)
    ).select_related("entry", "community")
    month_start = services.local_today().replace(day=1)
    return render(
        request,
        "admission/certificates.html",
        {
            "entries": entries,
            "q": query,
            "form": form,
            "recent": recent[:20],
            "redirected_this_month": recent.filter(
                outcome="redirected", asked_at__date__gte=month_start
            ).count(),
            "issued_this_month": recent.filter(
                outcome="issued", asked_at__date__gte=month_start
            ).count(),
        },
    )


@login_required
def certificate_print(request, pk):
    answer = get_object_or_404(
        CertificateAnswer.objects.select_related("entry", "community", "street"),
        pk=pk,
        outcome="issued",
    )
    if not request.user.has_perm("admission.issue_certificate", answer.community):
        _not_found()
    return render(request, "admission/certificate_print.html", {"answer": answer})


@refuse_nul(search=())
def certificate_verify(request):
    """Public check of an issued certificate by its verification code (no personal data)."""
    code = request.GET.get("code", "").strip().upper()[:16]
    answer = None
    if code:
        answer = (
            CertificateAnswer.objects.select_related("entry", "community")
            .filter(verification_code=code, outcome="issued")
            .first()
        )
    return render(request, "admission/certificate_verify.html", {"code": code, "answer": answer})


@login_required
def certificate_pdf(request, pk):
    """The issued certificate as a numbered PDF with its verification code."""
    answer = get_object_or_404(
        CertificateAnswer.objects.select_related("entry", "community"), pk=pk, outcome="issued"
    )
    if not request.user.has_perm("admission.issue_certificate", answer.community):
        _not_found()
    verify_url = request.build_absolute_uri(reverse("admission:certificate_verify"))
    return pdf_response(
        request,
        "admission/certificate_pdf.html",
        {"answer": answer, "verify_url": verify_url},
        filename=f"certificate-{answer.number}.pdf",
    )
