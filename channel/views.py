"""Pages of the community channel. The index, a community's channel and a published post are
open to everyone (no sign-in: a phone in a resident's hand); signing up, writing, reviewing and
the rules need an account. Thin: every write is a service, every list a selector."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from channel import forms, selectors, services, steps
from channel.models import Post
from core import images
from core.models import Place, PlaceLevel
from core.refusals import attempt
from core.selectors import chosen_district, districts_of


def index(request):
    """Every community's channel, by street; the staff's and one's own links when signed in."""
    counts = selectors.published_counts()
    streets: dict = {}
    for community in selectors.communities():
        streets.setdefault(community.parent, []).append((community, counts.get(community.pk, 0)))
    return render(request, "channel/index.html", {
        "streets": list(streets.items()), "latest": selectors.published()[:10],
        "can_manage": request.user.has_perm("channel.manage"),
    })  # fmt: skip


def community(request, pk: int):
    place = get_object_or_404(Place, pk=pk, level=PlaceLevel.COMMUNITY, is_active=True)
    kind = request.GET.get("kind", "")
    posts = selectors.published(place)
    if kind in Post.Kind.values:
        posts = posts.filter(kind=kind)
    can_follow = False
    if request.user.is_authenticated:
        from notify.follows import visible_target

        can_follow = visible_target(request.user, f"core.place:{place.pk}") is not None
    return render(request, "channel/community.html", {
        "community": place, "posts": posts[:50], "kinds": Post.Kind.choices, "kind": kind,
        "can_follow": can_follow,
    })  # fmt: skip


def post(request, pk: int):
    user = request.user
    found = selectors.post_for(user, pk)
    if found is None:
        raise Http404
    available = steps.available_steps(user, found) if user.is_authenticated else []
    posted = None
    if request.method == "POST":
        step = steps.BY_NAME.get(request.POST.get("action", ""))
        if step is None or not user.is_authenticated:
            raise PermissionDenied
        form = forms.step_form(step, request.POST)
        shown = step in available
        if (form.is_valid() or not shown) and attempt(
            request, step.run, on_form=form if shown else None, done_message=step.done,
            actor=user, post=found, data=forms.step_data(step, form),
        ):  # fmt: skip
            return redirect("channel:post", pk=found.pk)
        posted = (step, form)
    staff = user.has_perm("channel.view_unpublished", found)
    event = found.kind == Post.Kind.EVENT
    return render(request, "channel/post.html", {
        "post": found, "staff": staff, "event": event,
        "taken": selectors.taken(found) if event else 0,
        "mine": selectors.own_signup(user, found) if event else None,
        "signups": selectors.signups_shown(found) if event and staff else [],
        "can_edit": found.state in (Post.State.DRAFT, Post.State.RETURNED)
        and user.has_perm("channel.write_post", found),
        "steps": [{"step": s, "form": posted[1] if posted and posted[0] is s else forms.step_form(s)}
                  for s in available],
    })  # fmt: skip


def image(request, pk: int):
    found = selectors.post_for(request.user, pk)
    if found is None or not found.image:
        raise Http404
    return images.stored_response(found.image, name_stem=f"channel-{found.pk}")


@require_POST
@login_required
def signup(request, pk: int):
    found = get_object_or_404(selectors.published(), pk=pk)
    if request.POST.get("undo"):
        attempt(request, services.signup_cancel, actor=request.user, post=found,
                done_message=_("已取消报名。"))  # fmt: skip
    else:
        attempt(request, services.signup_create, actor=request.user, post=found,
                done_message=_("报名成功。"))  # fmt: skip
    return redirect("channel:post", pk=found.pk)


@login_required
def manage(request):
    """Staff: write a post, and the posts of their communities in every state."""
    user = request.user
    if not user.has_perm("channel.manage"):
        raise PermissionDenied
    communities = selectors.communities_written_by(user)
    form = forms.PostForm(communities=communities)
    if request.method == "POST":
        form = forms.PostForm(request.POST, request.FILES, communities=communities)
        if form.is_valid():
            done = attempt(request, services.post_create, actor=user, on_form=form,
                           done_message=_("草稿已保存，请提交审核。"), **form.cleaned_data)  # fmt: skip
            if done:
                return redirect("channel:post", pk=done.value.pk)
    state = request.GET.get("state", "")
    posts = selectors.posts_managed_by(user)
    if state in Post.State.values:
        posts = posts.filter(state=state)
    return render(request, "channel/manage.html", {
        "form": form if communities.exists() else None, "posts": posts.order_by("-pk")[:100],
        "states": Post.State.choices, "state": state,
    })  # fmt: skip


@login_required
def edit(request, pk: int):
    user = request.user
    found = get_object_or_404(selectors.posts_managed_by(user), pk=pk)
    if not user.has_perm("channel.write_post", found):
        raise PermissionDenied
    initial = {k: getattr(found, k) for k in
               ("title", "body", "contact", "location", "starts_at", "signup_deadline", "capacity")}  # fmt: skip
    form = forms.PostForm(initial=initial, editing=True)
    if request.method == "POST":
        form = forms.PostForm(request.POST, request.FILES, editing=True)
        if form.is_valid() and attempt(
            request, services.post_edit, actor=user, post=found, on_form=form,
            done_message=_("已保存修改。"), **form.cleaned_data,
        ):  # fmt: skip
            return redirect("channel:post", pk=found.pk)
    return render(request, "channel/edit.html", {"post": found, "form": form})


@login_required
def mine(request):
    """The events one has signed up for."""
    return render(request, "channel/mine.html", {"signups": selectors.my_signups(request.user)})


@login_required
def rules_page(request):
    user = request.user
    districts = list(districts_of(user).order_by("code"))
    if (
        not districts
        or not user.has_perm("channel.manage")
        and not any(user.has_perm("channel.set_rules", d) for d in districts)
    ):
        raise PermissionDenied
    district = chosen_district(request, districts)
    can_set = user.has_perm("channel.set_rules", district)
    form = forms.RuleForm()
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if request.POST.get("action") == "seed":
            attempt(request, services.rules_seed, actor=user, district=district,
                    done_message=_("已载入默认规则。"))  # fmt: skip
            return redirect(request.get_full_path())
        form = forms.RuleForm(request.POST)
        if form.is_valid() and attempt(
            request, services.rule_create, actor=user, district=district, on_form=form,
            done_message=_("已新增规则。"), **form.cleaned_data,
        ):  # fmt: skip
            return redirect(request.get_full_path())
    return render(request, "channel/rules.html", {
        "district": district, "districts": districts, "rules": selectors.rules_of(district),
        "form": form if can_set else None,
    })  # fmt: skip
