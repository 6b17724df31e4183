"""The pay-standard page (scale, floor, who is below it, the average wage form) and the
岗位等级花名册 in Excel for the finance system. Amounts of people are personal: the page shows
them masked until the viewer states a purpose (audited); the roster is audited on download."""

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.exports import SafeWorkbook
from core.money import yuan
from core.refusals import attempt
from core.selectors import districts_of
from workforce import pay, services
from workforce.pay_forms import PayScaleForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class WageForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("年度"))
    annual_yuan = forms.DecimalField(label=gettext_lazy("城市非私营单位在岗职工年平均工资（元）"), max_digits=12, decimal_places=2)  # fmt: skip
    source = forms.CharField(label=gettext_lazy("数据来源"), max_length=300, help_text=gettext_lazy("如：市统计局2025年统计公报。"))  # fmt: skip


class PurposeForm(forms.Form):
    purpose = forms.CharField(label=gettext_lazy("查看用途"), max_length=200)


def _district(request):
    user = request.user
    if not user.has_perm("workforce.view_pay"):
        raise PermissionDenied
    districts = list(districts_of(user).order_by("code"))
    if not districts:
        raise PermissionDenied
    chosen = request.GET.get("district")
    return next((d for d in districts if str(d.pk) == chosen), districts[0]), districts


def reveal(request, district, what: str):
    """A viewer states why they open masked amounts (audited as ``what``): (whether they are
    shown in full, the purpose form as posted)."""
    purpose_form = PurposeForm(request.POST)
    shown = bool(purpose_form.is_valid() and attempt(
        request, services.pay_view_record, actor=request.user, district=district,
        on_form=purpose_form, purpose=purpose_form.cleaned_data["purpose"], what=what,
    ))  # fmt: skip
    return shown, purpose_form


def _setter_post(request, district, action: str):
    """A pay standard's setter posts: (a redirect when done, {form name: the form as posted})."""
    user = request.user
    if action == "seed":
        attempt(request, services.pay_scales_seed, actor=user, district=district,
                done_message=_("已载入示例工资标准。"))  # fmt: skip
        return redirect(request.get_full_path()), {}
    if action == "scale":
        scale_form = PayScaleForm(request.POST)
        if scale_form.is_valid() and attempt(
            request, services.pay_scale_create, actor=user, district=district, on_form=scale_form,
            done_message=_("已新增工资标准，自生效日期起按它计算。"), **scale_form.values(),
        ):  # fmt: skip
            return redirect(request.get_full_path()), {}
        return None, {"scale_form": scale_form}
    if action == "wage":
        wage_form = WageForm(request.POST)
        if wage_form.is_valid() and attempt(
            request, services.average_wage_enter, actor=user, district=district, on_form=wage_form,
            year=wage_form.cleaned_data["year"], source=wage_form.cleaned_data["source"],
            annual_fen=int(wage_form.cleaned_data["annual_yuan"] * 100),
            done_message=_("已录入平均工资，保底线已按新数重新计算。"),
        ):  # fmt: skip
            return redirect(request.get_full_path()), {}
        return None, {"wage_form": wage_form}
    return None, {}


@login_required
def pay_page(request):
    user = request.user
    district, districts = _district(request)
    can_set = user.has_perm("workforce.set_pay", district)
    forms_shown = {"wage_form": None, "scale_form": None}
    if can_set:
        forms_shown["wage_form"] = WageForm(initial={"year": clock.today().year - 1})
        forms_shown["scale_form"] = PayScaleForm.starting_from(
            pay.scale_in_force(district.pk, clock.today())
        )
    purpose_form, shown = PurposeForm(), False
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ("scale", "seed", "wage") and can_set:
        done, posted = _setter_post(request, district, action)
        if done is not None:
            return done
        forms_shown.update(posted)
    if action == "reveal":
        shown, purpose_form = reveal(request, district, "pay_view")
    scale, wage, rows = pay.pay_rows(user, district, clock.today())
    grades = sorted(scale.amounts.items(), key=lambda kv: int(kv[0])) if scale else []
    for item in scale.welfare if scale else []:
        item["percent"], item["yuan"] = f"{item['value'] / 100:g}", yuan(item["value"])
    return render(
        request,
        "workforce/pay.html",
        {"district": district, "districts": districts, "scale": scale, "wage": wage,
         "rows": rows, "below": [r for r in rows if r.below_floor],
         "grades": [(g, yuan(f)) for g, f in grades], "can_set": can_set, **forms_shown,
         "purpose_form": purpose_form, "shown": shown, "year": clock.today().year},
    )  # fmt: skip


@login_required
def pay_roster(request):
    """岗位等级花名册: one row per worker in post, with grade, pay standard, floor and welfare."""
    user = request.user
    district, _districts = _district(request)
    attempt_ok = attempt(request, services.pay_view_record, actor=user, district=district,
                         purpose=_("导出岗位等级花名册"), what="pay_roster_export")  # fmt: skip
    if not attempt_ok:
        raise PermissionDenied
    day = clock.today()
    scale, wage, rows = pay.pay_rows(user, district, day)
    content = roster_workbook(scale, rows)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="grade-roster-{day:%Y-%m-%d}.xlsx"'
    return response


def roster_workbook(scale, rows) -> bytes:
    workbook = SafeWorkbook()
    sheet = workbook.active
    sheet.title = _("岗位等级花名册")
    welfare = [w["name"] for w in scale.welfare] if scale else []
    sheet.append([_("街道"), _("社区"), _("姓名"), _("身份证号"), _("类别"), _("岗位"), _("职务"),
                  _("岗位等级"), _("月岗位工资（元）"), _("月保底线（元）"), _("低于保底线"), *welfare])  # fmt: skip
    for r in rows:
        w = r.row.worker
        posting = r.row.posting
        sheet.append([
            w.community.parent.name, w.community.name, w.person.name, w.person.id_number_masked,
            w.get_kind_display(), posting.get_post_display() if posting else "",
            posting.title if posting else "", r.row.grade or "", yuan(r.monthly_fen),
            yuan(r.floor_monthly_fen), _("是") if r.below_floor else "",
            *(yuan(fen) for _name, fen in (r.welfare(scale) if scale else [])),
        ])  # fmt: skip
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
