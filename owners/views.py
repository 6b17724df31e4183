"""Pages of the owners app: compounds, a compound's book, a decision, the public result, the
threshold table. Thin: every write is a service, every list a selector."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import clock
from core.models import Person
from core.refusals import attempt
from core.rules import role_places
from core.selectors import chosen_district, districts_of
from owners import forms, rules, selectors, services, steps
from owners.models import Committee, Compound, Decision, Matter
from owners.views_results import counts_shown

S = Decision.State


@login_required
def index(request):
    user = request.user
    if not user.has_perm("owners.view"):
        raise PermissionDenied
    communities = selectors.communities_kept_by(user)
    form = forms.CompoundForm(communities=communities)
    if request.method == "POST":
        form = forms.CompoundForm(request.POST, communities=communities)
        if form.is_valid():
            done = attempt(request, services.compound_create, actor=user, on_form=form,
                           done_message=_("已登记小区。"), **form.cleaned_data)  # fmt: skip
            if done:
                return redirect("owners:compound", pk=done.value.pk)
    compounds = selectors.compounds_visible_to(user).select_related("community__parent")
    return render(request, "owners/index.html", {
        "compounds": compounds, "form": form if communities.exists() else None,
        "can_see_rules": bool(districts_of(user).exists()),
        "can_grant_staff": user.is_superuser or bool(role_places(user, rules.STAFF_GRANTERS)),
    })  # fmt: skip


def _owners_of(compound):
    return Person.objects.filter(
        pk__in=compound.parts.exclude(owner=None).values("owner")
    ).order_by("name")


def _people_for_parts(compound):
    """People who may be recorded as owners: residents of the compound's houses, and owners."""
    from registry.models import Residence

    houses = Residence.objects.filter(house__building__in=compound.buildings.values("building"))
    return Person.objects.filter(pk__in=houses.values("person")) | _owners_of(compound)


def _compound_forms(request, compound):
    data = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if data else None
    owners = _owners_of(compound)
    elections = selectors.decisions_of(compound).filter(matter=Matter.COMMITTEE, state=S.PUBLISHED)
    made = {
        "building": lambda d: forms.BuildingForm(d, buildings=selectors.free_buildings(compound)),
        "part": lambda d: forms.PartForm(d, houses=compound_houses(compound),
                                         people=_people_for_parts(compound).distinct()),
        "decision": lambda d: forms.DecisionForm(d),
        "committee": lambda d: forms.CommitteeForm(d, owners=owners),
        "elect": lambda d: forms.ElectForm(d, owners=owners, elections=elections),
        "file": lambda d: forms.FileForm(d),
        "contract": lambda d: forms.ContractForm(d),
    }  # fmt: skip
    built = {}
    for name, make in made.items():
        form = make(data if name == action else None)
        form.prefix = name  # one page, several forms: ids and names stay apart
        built[name] = form
    return built, action


def compound_houses(compound):
    from registry.models import House

    return House.objects.filter(building__in=compound.buildings.values("building")).order_by(
        "address"
    )


def _compound_write(request, compound, action, form, committee):
    user, data = request.user, form.cleaned_data
    calls = {
        "building": (services.building_add, {"compound": compound, **data}, _("已将楼栋划入小区。")),
        "part": (services.part_set, {"compound": compound, **data}, _("已登记专有部分。")),
        "decision": (services.decision_create, {"compound": compound, **data}, _("已拟定表决。")),
        "committee": (services.committee_prepare, {"compound": compound, **data},
                      _("已成立筹备组。")),
        "elect": (services.committee_elect, {"committee": committee, **data},
                  _("已登记选举结果。")),
        "file": (services.committee_file, {"committee": committee, **data}, _("已备案。")),
        "contract": (services.contract_record, {"compound": compound, **data},
                     _("已登记物业服务合同。")),
    }  # fmt: skip
    service, kwargs, message = calls[action]
    if action in ("elect", "file") and committee is None:
        raise Http404
    return attempt(request, service, actor=user, on_form=form, done_message=message, **kwargs)


@login_required
def compound(request, pk: int):
    compound = get_object_or_404(Compound.objects.select_related("community__parent"), pk=pk)
    user = request.user
    if not user.has_perm("owners.view_compound", compound):
        raise PermissionDenied
    keeps = user.has_perm("owners.keep_compound", compound)
    runs = user.has_perm("owners.run_decision", compound)
    files = user.has_perm("owners.file_committee", compound)
    committee = selectors.current_committee(compound)
    all_forms, action = _compound_forms(request, compound)
    allowed = {"building": keeps, "part": keeps, "decision": runs, "committee": keeps,
               "elect": keeps, "file": files, "contract": keeps}  # fmt: skip
    if action in all_forms and allowed[action]:
        form = all_forms[action]
        if form.is_valid():
            data = dict(form.cleaned_data)
            if action == "part" and data.get("developer_held"):
                data["owner"] = None
            form.cleaned_data = data
            done = _compound_write(request, compound, action, form, committee)
            if done:
                if action == "decision":
                    return redirect("owners:decision", pk=done.value.pk)
                return redirect("owners:compound", pk=compound.pk)
    elif action:
        raise PermissionDenied
    return render(request, "owners/compound.html", {
        "compound": compound, "figures": selectors.figures(compound),
        "buildings": compound.buildings.select_related("building").order_by("building__address"),
        "parts": selectors.parts_of(compound) if keeps else None,
        "my_parts": selectors.parts_of(compound).filter(owner__account=user),
        "committee": committee, "contracts": compound.contracts.select_related("company"),
        "decisions": selectors.decisions_of(compound),
        "forms": all_forms, "keeps": keeps, "runs": runs, "files": files,
        "stage": Committee.Stage,
    })  # fmt: skip


def _decision_call(request, decision, action):
    """The service and its keywords for a step posted on the decision page (None: bad form)."""
    user, post = request.user, request.POST
    entries = decision.roll.all()
    step = steps.BY_NAME.get(action)  # the decision's state machine (owners.steps)
    if step is not None:
        return step.service, {}, None
    if action == "vote":  # an owner's own part, online
        form = forms.BallotForm(
            post, entries=selectors.roll_of(decision).filter(owner__account=user)
        )
        form.fields["channel"].required = False
        if form.is_valid():
            data = {**form.cleaned_data, "channel": "online"}
            return services.ballot_cast, data, form
        return None, {}, form
    form_class = {"proxy": forms.ProxyForm, "ballot": forms.BallotForm}.get(action)
    if form_class is None:
        raise Http404
    form = form_class(post, entries=entries, prefix=action)
    if form.is_valid():
        service = services.proxy_record if action == "proxy" else services.ballot_cast
        return service, form.cleaned_data, form
    return None, {}, form


DONE = {
    **{step.name: step.done for step in steps.STEPS}, "vote": _("您的表决已记录。"), "proxy": _("委托已登记。"),
    "ballot": _("表决票已录入。"),
}  # fmt: skip


@login_required
def decision(request, pk: int):
    decision = get_object_or_404(Decision.objects.select_related("compound", "rule"), pk=pk)
    user = request.user
    if not user.has_perm("owners.view_compound", decision):
        raise PermissionDenied
    runs = user.has_perm("owners.run_decision", decision)
    bad_form = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action != "vote" and not runs:
            raise PermissionDenied
        service, data, form = _decision_call(request, decision, action)
        if service is not None:
            done = attempt(request, service, actor=user, decision=decision, on_form=form,
                           done_message=DONE[action], **data)  # fmt: skip
            if done:
                return redirect("owners:decision", pk=decision.pk)
        bad_form[action] = form
    decision.refresh_from_db()
    mine = selectors.my_entries(user, decision)
    voted = set(decision.ballots.values_list("entry_id", flat=True))
    roll = selectors.roll_of(decision)
    if decision.state in (S.CLOSED, S.PUBLISHED):
        result = decision.tally.get("result")
    else:  # the counts so far, for those who run the vote only
        result = selectors.counts_so_far(decision) if runs else None
    return render(request, "owners/decision.html", {
        "decision": decision, "runs": runs, "mine": mine, "voted": voted,
        "offered": steps.TABLE.available(user, decision),
        "my_tokens": services.my_tokens(decision, mine),
        "result": result, "shown": counts_shown(result, decision),
        "roll_size": roll.count(), "ballots": decision.ballots.count(),
        "proxies": decision.proxies.all() if runs else (),
        "proxy_form": bad_form.get("proxy") or forms.ProxyForm(entries=roll, prefix="proxy"),
        "ballot_form": bad_form.get("ballot") or forms.BallotForm(entries=roll, prefix="ballot"),
        "vote_form": bad_form.get("vote"),
        "today": clock.today(),
    })  # fmt: skip


@login_required
def rules_page(request):
    user = request.user
    districts = list(districts_of(user).order_by("code"))
    if not districts or not user.has_perm("owners.view"):
        raise PermissionDenied
    district = chosen_district(request, districts)
    can_set = user.has_perm("owners.set_rules", district)
    form = forms.RuleForm()
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if request.POST.get("action") == "seed":
            attempt(request, services.rules_seed, actor=user, district=district,
                    done_message=_("已载入民法典第二百七十八条的默认规则。"))  # fmt: skip
            return redirect(request.get_full_path())
        form = forms.RuleForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            done = attempt(
                request, services.rule_create, actor=user, district=district, on_form=form,
                matter=d["matter"], source=d["source"], effective_from=d["effective_from"],
                turnout=(d["turnout_num"], d["turnout_den"], d["turnout_inclusive"]),
                approval=(d["approval_num"], d["approval_den"], d["approval_inclusive"]),
                done_message=_("已新增表决规则。"),
            )  # fmt: skip
            if done:
                return redirect(request.get_full_path())
    return render(request, "owners/rules.html", {
        "district": district, "districts": districts, "rules": selectors.rules_of(district),
        "can_set": can_set, "form": form,
    })  # fmt: skip
