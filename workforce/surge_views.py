"""Surge work's pages: every task the user may see with its approval (the district sees all),
the form a community records one on (each worker in post, their hours), one task with the
approval steps, and the hourly rate (the district sets it)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.money import YuanField, yuan
from core.refusals import attempt
from core.selectors import districts_of
from workforce import services, steps, surge
from workforce.models import SurgeRate, SurgeTask, Worker
from workforce.worker_forms import DATE
from workforce.worker_views import _communities
from workforce.workers import in_post


class SurgeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=SurgeTask.Kind.choices)
    reason = forms.CharField(label=gettext_lazy("事由"), max_length=300)
    instruction = forms.CharField(
        label=gettext_lazy("区级指令"), max_length=300, required=False,
        help_text=gettext_lazy("发文或通知的名称、文号。没有区级指令的任务应通过准入申请。"),
    )  # fmt: skip
    started_on = forms.DateField(label=gettext_lazy("开始日期"), **DATE)
    ended_on = forms.DateField(label=gettext_lazy("结束日期"), **DATE)

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.workers = list(workers)
        for w in self.workers:
            self.fields[f"hours_{w.pk}"] = forms.DecimalField(
                label=_("%(name)s工作时长（小时）") % {"name": w.person.name}, required=False,
                min_value=0, max_digits=6, decimal_places=1,
            )  # fmt: skip

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("hours_")}
        data["hours"] = {
            w.pk: self.cleaned_data[f"hours_{w.pk}"]
            for w in self.workers
            if self.cleaned_data.get(f"hours_{w.pk}")
        }
        return data


def step_form(step, data=None) -> forms.Form:
    """A step's form (text inputs only; the service checks what is required, with its message)."""
    fields = {
        spec.name: forms.CharField(label=spec.label, required=False, max_length=spec.max_length,
                                   widget=forms.Textarea(attrs={"rows": spec.rows}))
        for spec in step.inputs
    }  # fmt: skip
    return type("SurgeStepForm", (forms.Form,), fields)(data)


def step_data(step, form) -> dict:
    return {spec.name: form.cleaned_data.get(spec.name, "") for spec in step.inputs}


class RateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    hourly_fen = YuanField(label=gettext_lazy("每小时补贴（元）"))
    source = forms.CharField(label=gettext_lazy("政策依据"), max_length=300)
    effective_from = forms.DateField(label=gettext_lazy("生效日期"), **DATE)


def _record_form(request, user):
    """(the community chosen, the form) where the user records surge work, else (None, None)."""
    places = [c for c in _communities(user) if user.has_perm("workforce.record_surge", c)]
    if not places:
        return None, None, []
    community = next((c for c in places if str(c.pk) == request.GET.get("community")), places[0])
    workers = Worker.objects.filter(community=community).filter(in_post(clock.today()))
    return community, SurgeForm(workers=workers.select_related("person").order_by("id")), places


@login_required
def surge_list(request):
    user = request.user
    if not user.has_perm("workforce.view_surge"):
        raise PermissionDenied
    community, form, places = _record_form(request, user)
    districts = list(districts_of(user).order_by("code"))
    district = districts[0] if districts else None
    can_rate = bool(district) and user.has_perm("workforce.set_pay", district)
    rate_form = RateForm() if can_rate else None
    action = request.POST.get("action")
    if request.method == "POST" and action == "record" and form is not None:
        form = SurgeForm(request.POST, workers=form.workers)
        done = form.is_valid() and attempt(
            request, services.surge_task_record, actor=user, community=community, on_form=form,
            done_message=_("已登记突击性任务，待街道或区审核。"), **form.values(),
        )  # fmt: skip
        if done:
            return redirect("workforce:surge_task", done.value.pk)
    if request.method == "POST" and action in ("rate", "seed") and can_rate:
        if action == "seed":
            attempt(request, services.surge_rates_seed, actor=user, district=district,
                    done_message=_("已载入示例补贴标准。"))  # fmt: skip
            return redirect("workforce:surge")
        rate_form = RateForm(request.POST)
        if rate_form.is_valid() and attempt(
            request, services.surge_rate_create, actor=user, district=district, on_form=rate_form,
            done_message=_("已新增补贴标准。"), **rate_form.cleaned_data,
        ):  # fmt: skip
            return redirect("workforce:surge")
    tasks = surge.tasks_visible_to(user).order_by("-started_on", "-id")
    state = request.GET.get("state")
    if state in SurgeTask.State.values:
        tasks = tasks.filter(state=state)
    page = Paginator(tasks, 30).get_page(request.GET.get("page"))
    rates = list(SurgeRate.objects.filter(district=district)) if district else []
    for r in rates:
        r.yuan = yuan(r.hourly_fen)
    return render(request, "workforce/surge.html", {
        "page": page, "form": form, "community": community, "places": places, "state": state,
        "states": SurgeTask.State.choices, "rates": rates, "rate_form": rate_form,
        "district": district,
    })  # fmt: skip


@login_required
def surge_task(request, pk):
    user = request.user
    task = surge.tasks_visible_to(user).filter(pk=pk).first()
    if task is None:
        raise Http404
    available = steps.TABLE.available(user, task)
    posted = None
    if request.method == "POST":
        step = steps.BY_NAME.get(request.POST.get("action", ""))
        if step is None or step not in available:
            raise PermissionDenied
        form = step_form(step, request.POST)
        if form.is_valid() and attempt(
            request, step.run, on_form=form, done_message=step.done, actor=user, task=task,
            data=step_data(step, form),
        ):  # fmt: skip
            return redirect("workforce:surge_task", pk=task.pk)
        posted = (step, form)
    hours = [(h, surge.worker_subsidy_fen(task, h)) for h in task.hours.all()]
    return render(request, "workforce/surge_task.html", {
        "task": task, "hours": [(h, h.minutes / 60, yuan(fen) if fen is not None else "") for h, fen in hours],
        "subsidy": yuan(task.subsidy_fen) if task.subsidy_fen is not None else "",
        "steps": [{"step": s, "form": posted[1] if posted and posted[0] is s else step_form(s)}
                  for s in available],
    })  # fmt: skip
