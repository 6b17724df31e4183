"""Report cells carry their field's type (issue #19, item 5): a new column's kind comes from its
title, its cells get a date picker, a yes/no choice or a number in yuan, and a refused value
stays in its box with its message instead of being wiped."""

import pytest
from django.urls import reverse

from admission.testing import admitted_form_item
from core.models import Place
from registry import services, values
from registry.models import Fact, ReportForm
from registry.tests.test_reports import dept

pytestmark = pytest.mark.django_db

COLUMNS = ["走访日期", "是否已走访", "慰问金额（元）", "关爱人电话", "关爱人"]


@pytest.mark.parametrize(
    ("title", "kind"),
    [("走访日期", "date"), ("入户时间", "date"), ("是否已走访", "flag"), ("慰问金额", "money"),
     ("补贴（元/月）", "money"), ("联系人手机", "phone"), ("关爱人", "text"), ("日常情况", "text")],
)  # fmt: skip
def test_a_new_columns_kind_comes_from_its_title(title, kind):
    assert values.kind_for_title(title) == kind


def test_cells_are_typed_and_a_refused_value_stays_with_its_message(filled, client):
    officer = filled.users["department_officer:own"]
    report = services.report_register(
        actor=officer, department=dept(filled, "mz"), item=admitted_form_item(dept(filled, "mz")),
        name="走访慰问表",
        field_keys=["name"], new_columns=COLUMNS, population={"tags": ["elderly"]},
    )  # fmt: skip
    added = [c.field for c in report.columns.select_related("field").order_by("position")][1:]
    assert [f.kind for f in added] == ["date", "flag", "money", "phone", "text"]
    chaoku = Place.objects.get(name="钞库街社区", district=filled.district)
    client.force_login(filled.users["chaoku_worker"])
    worker = client
    url = reverse("registry:report", args=[report.pk]) + f"?community={chaoku.pk}"
    page = worker.get(url).content.decode()
    assert ReportForm.objects.get(pk=report.pk).status == ReportForm.Status.KEPT
    date_key, flag_key = added[0].key, added[1].key
    assert 'type="date"' in page and 'type="number"' in page and 'type="tel"' in page
    assert f'-{flag_key}" aria-label=' in page and '<option value="是"' in page
    name = next(
        n for n in page.split('name="')[1:] if n.split('"')[0].endswith(f"-{date_key}")
    ).split('"')[0]
    before = Fact.objects.count()
    response = worker.post(url, {name: "12月1日"})
    text = response.content.decode()
    assert response.status_code == 200 and Fact.objects.count() == before
    assert "无法识别" in text and 'value="12月1日"' in text and 'aria-invalid="true"' in text
    response = worker.post(url, {name: "2026-12-01"})
    assert response.status_code == 302 and Fact.objects.count() == before + 1
