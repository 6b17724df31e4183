"""The deliberation pages: a community's proposals, meetings, decisions and conventions; one
meeting, proposal or decision with the steps the user may take; the rules; and the public
pages of published decisions, minutes and conventions (no login). Thin: every write is a
service, every list a selector."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.refusals import attempt
from core.selectors import chosen_district, districts_of
from deliberation import forms, selectors, services, steps
from deliberation.models import Decision, Document, DocumentVersion, Meeting


def _community(request):
    communities = list(selectors.communities_of(request.user))
    if not communities:
        raise PermissionDenied
    wanted = request.GET.get("community") or request.POST.get("community")
    return next((c for c in communities if str(c.pk) == wanted), communities[0]), communities


def _index_post(request, community):
    user, action = request.user, request.POST.get("action")
    made = {
        "proposal": (forms.ProposalForm, services.proposal_file, _("提议已提出，欢迎邻居支持。")),
        "meeting": (forms.MeetingForm, services.meeting_create, _("会议已拟定，请列出议题后发布公告。")),
        "representative": (lambda d: forms.RepresentativeForm(d, community=community),
                           services.representative_add, _("已登记居民代表。")),
    }  # fmt: skip
    if action not in made:
        raise PermissionDenied
    make, service, message = made[action]
    form = make(request.POST)
    if form.is_valid():
        done = attempt(request, service, actor=user, community=community, on_form=form,
                       done_message=message, **form.cleaned_data)  # fmt: skip
        if done:
            if action == "meeting":
                return None, redirect("deliberation:meeting", pk=done.value.pk)
            if action == "proposal":
                return None, redirect("deliberation:proposal", pk=done.value.pk)
            return None, redirect(f"{request.path}?community={community.pk}")
    return (action, form), None


@login_required
def index(request):
    user = request.user
    if not user.has_perm("deliberation.use"):
        raise PermissionDenied
    community, communities = _community(request)
    convenes = user.has_perm("deliberation.convene", community)
    takes_part = user.has_perm("deliberation.take_part", community)
    posted = None
    if request.method == "POST":
        posted, response = _index_post(request, community)
        if response:
            return response
    bound = dict([posted]) if posted else {}
    return render(request, "deliberation/index.html", {
        "community": community, "communities": communities,
        "convenes": convenes, "takes_part": takes_part,
        "proposals": selectors.proposals_visible_to(user).filter(community=community)[:50],
        "meetings": selectors.meetings_visible_to(user).filter(community=community)[:50],
        "decisions": selectors.decisions_visible_to(user).filter(community=community)[:50],
        "documents": selectors.documents_of(community),
        "representatives": selectors.representatives_of(community)
        if user.has_perm("deliberation.view_people", community) else (),
        "proposal_form": bound.get("proposal") or forms.ProposalForm(),
        "meeting_form": bound.get("meeting") or forms.MeetingForm(),
        "representative_form": bound.get("representative")
        or forms.RepresentativeForm(community=community),
        "sees_rules": districts_of(user).exists(),
    })  # fmt: skip


def _steps_page(request, obj, table, keyword: str, url_name: str):
    """Take a posted step (None: go on to render) and the forms of the available steps."""
    user = request.user
    available = table.available(user, obj)
    posted = None
    if request.method == "POST":
        step = table.by_name.get(request.POST.get("action", ""))
        if step is None:
            messages.error(request, _("未知的操作。"))
        else:
            form = forms.step_form(step, obj, request.POST)
            shown = step in available
            if form.is_valid() or not shown:
                data = forms.step_data(step, form) if form.is_valid() else {}
                if attempt(request, step.run, on_form=form if shown else None,
                           done_message=step.done, actor=user, data=data, **{keyword: obj}):  # fmt: skip
                    return redirect(url_name, pk=obj.pk), None
            posted = (step, form)
    forms_shown = [
        {"step": s, "form": posted[1] if posted and posted[0] is s else forms.step_form(s, obj)}
        for s in available
    ]
    return None, forms_shown


@login_required
def meeting(request, pk):
    user = request.user
    meeting = get_object_or_404(selectors.meetings_visible_to(user), pk=pk)
    response, shown = _steps_page(
        request, meeting, steps.MEETINGS, "meeting", "deliberation:meeting"
    )
    if response:
        return response
    convenes = user.has_perm("deliberation.convene", meeting)
    participants = meeting.participants.select_related("person")
    present, base = services.attendance(meeting)
    return render(request, "deliberation/meeting.html", {
        "meeting": meeting, "steps": shown, "convenes": convenes,
        "participants": participants if user.has_perm("deliberation.view_people", meeting) else None,
        "registered": participants.count(), "present": present, "base": base,
        "agenda": meeting.agenda.select_related("proposal"),
        "decisions": selectors.decisions_visible_to(user).filter(meeting=meeting),
    })  # fmt: skip


@login_required
def proposal(request, pk):
    user = request.user
    proposal = get_object_or_404(
        selectors.proposals_visible_to(user).select_related("proposer", "meeting"), pk=pk
    )
    response, shown = _steps_page(
        request, proposal, steps.PROPOSALS, "proposal", "deliberation:proposal"
    )
    if response:
        return response
    return render(request, "deliberation/proposal.html", {
        "proposal": proposal, "steps": shown,
        "proposer": selectors.mask_name(proposal.proposer.name),
        "share": min(100, proposal.supports_count * 100 // max(proposal.threshold, 1)),
    })  # fmt: skip


@login_required
def decision(request, pk):
    user = request.user
    decision = get_object_or_404(selectors.decisions_visible_to(user), pk=pk)
    response, shown = _steps_page(
        request, decision, steps.DECISIONS, "decision", "deliberation:decision"
    )
    if response:
        return response
    return render(request, "deliberation/decision.html", {
        "decision": decision, "steps": shown, "updates": decision.updates.all(),
        "adopted": DocumentVersion.objects.filter(decision=decision).select_related("document").first(),
    })  # fmt: skip


def _rules_post(request, district):
    user, action = request.user, request.POST.get("action")
    if action == "seed":
        attempt(request, services.rules_seed, actor=user, district=district,
                done_message=_("已载入默认议事规则。"))  # fmt: skip
        return None
    if action == "support":
        form = forms.SupportRuleForm(request.POST)
        if form.is_valid() and attempt(request, services.support_rule_create, actor=user,
                                       district=district, on_form=form,
                                       done_message=_("已新增支持人数规则。"), **form.cleaned_data):  # fmt: skip
            return None
        return form
    form = forms.MeetingRuleForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if attempt(request, services.meeting_rule_create, actor=user, district=district,
                   on_form=form, kind=d["kind"], notice_days=d["notice_days"],
                   quorum=(d["quorum_num"], d["quorum_den"], d["quorum_inclusive"]),
                   passing=(d["pass_num"], d["pass_den"], d["pass_inclusive"]),
                   source=d["source"], effective_from=d["effective_from"],
                   done_message=_("已新增会议规则。")):  # fmt: skip
            return None
    return form


@login_required
def rules_page(request):
    user = request.user
    districts = list(districts_of(user).order_by("code"))
    if not districts or not user.has_perm("deliberation.see_rules"):
        raise PermissionDenied
    district = chosen_district(request, districts)
    can_set = user.has_perm("deliberation.set_rules", district)
    bad = None
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        bad = _rules_post(request, district)
        if bad is None:
            return redirect(request.get_full_path())
    return render(request, "deliberation/rules.html", {
        "district": district, "districts": districts, "can_set": can_set,
        "meeting_rules": selectors.meeting_rules(district),
        "support_rules": selectors.support_rules(district),
        "meeting_form": bad if isinstance(bad, forms.MeetingRuleForm) else forms.MeetingRuleForm(),
        "support_form": bad if isinstance(bad, forms.SupportRuleForm) else forms.SupportRuleForm(),
    })  # fmt: skip


# ---------------------------------------------------------------- public, without login


def public(request):
    """Published decisions and how far each is carried out; published minutes; conventions."""
    return render(request, "deliberation/public.html", {
        "upcoming": selectors.upcoming_meetings()[:30],
        "decisions": selectors.published_decisions().exclude(status=Decision.Status.REJECTED)[:100],
        "meetings": selectors.published_meetings()[:30],
        "documents": selectors.public_documents(),
    })  # fmt: skip


def public_decision(request, pk):
    decision = get_object_or_404(selectors.published_decisions(), pk=pk)
    return render(request, "deliberation/public_decision.html", {
        "decision": decision, "updates": decision.updates.all(),
    })  # fmt: skip


def public_meeting(request, pk):
    """An announced meeting's notice (what a follower's message links to); once published, its
    minutes, attendance and decisions too."""
    meeting = get_object_or_404(selectors.announced_meetings(), pk=pk)
    published = meeting.state == Meeting.State.PUBLISHED
    # The sign-up link only for those whose deliberation pages hold this meeting (its
    # residents, its workers): an administrator signed in would follow it to a 404.
    opens = (
        request.user.is_authenticated
        and selectors.meetings_visible_to(request.user).filter(pk=meeting.pk).exists()
    )
    return render(request, "deliberation/public_meeting.html", {
        "meeting": meeting, "agenda": meeting.agenda.all(), "published": published,
        "opens": opens,
        "decisions": meeting.decisions.all() if published else (),
        "present": services.attendance(meeting) if published else None,
    })  # fmt: skip


def public_document(request, pk):
    document = get_object_or_404(selectors.public_documents(), pk=pk)
    versions = list(document.versions.select_related("decision__meeting"))
    return render(request, "deliberation/public_document.html", {
        "document": document, "current": versions[0], "versions": versions,
        "kinds": Document.Kind,
    })  # fmt: skip
