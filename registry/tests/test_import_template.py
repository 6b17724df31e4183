"""Who may import is said on the import page, and each department downloads a blank file its
imports recognise (issue #19, item 6)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from core.models import Place
from registry.models import ImportBatch
from registry.tests.test_import import checked, dept, officer

pytestmark = pytest.mark.django_db


def test_a_community_worker_is_told_who_imports_and_gets_no_form(world, client):
    client.force_login(world.users["community_worker:own"])
    page = client.get(reverse("registry:imports")).content.decode()
    assert "部门文件由职能部门的工作人员" in page and 'type="file"' not in page
    assert "import_template" not in page and "导入模板" not in page


def test_an_officer_downloads_the_template_and_it_imports_as_it_is(world, client):
    actor = officer(world)  # 民政局
    client.force_login(actor)
    mz = dept(world, "mz")
    template_url = reverse("registry:import_template", args=[mz.pk])
    assert template_url in client.get(reverse("registry:imports")).content.decode()
    response = client.get(template_url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet, instructions, places = workbook.worksheets
    titles = [c.value for c in sheet[1]]
    assert titles[:4] == ["所属街道", "所属社区", "姓名", "公民身份号码"]
    assert "高龄津贴标准" in titles and "低保" in titles  # the fields 民政局 owns
    assert "退役军人" not in titles  # another department's
    id_column = titles.index("公民身份号码") + 1
    assert sheet.cell(row=2, column=id_column).number_format == "@"
    assert sheet.cell(row=500, column=id_column).number_format == "@"
    assert "文本" in " ".join(str(r[0].value) for r in instructions.iter_rows())
    community = Place.objects.get(name="钞库街社区", district=world.district)
    assert [community.parent.name, community.name] in [
        [c.value for c in row] for row in places.iter_rows(min_row=2)
    ]
    # Filled in as a department would, it goes through the dry run as it is.
    values = {"所属街道": community.parent.name, "所属社区": community.name, "姓名": "张三",
              "公民身份号码": "320104192805271137", "高龄津贴标准": "100"}  # fmt: skip
    sheet.append([values.get(title, "") for title in titles])
    filled = io.BytesIO()
    workbook.save(filled)
    batch = checked(world, actor, "mz", filled.getvalue(), name="filled.xlsx")
    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    assert batch.rows_ok == 1 and batch.rows_bad == 0


def test_the_template_of_a_department_one_does_not_import_for_is_not_found(world, client):
    ga = dept(world, "ga")
    url = reverse("registry:import_template", args=[ga.pk])
    client.force_login(officer(world))  # 民政局 officer
    assert client.get(url).status_code == 404
    client.force_login(world.users["community_worker:own"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["ga_officer"])
    assert client.get(url).status_code == 200
