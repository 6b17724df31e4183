"""The lists: defaults, drafts, publishing with effective dates, diffs, who may read and edit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from admission import defaults, selectors, services
from admission.models import ListEntry, ListKind, ListVersion
from core.models import AuditEvent
from core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_defaults_are_loaded_once_with_their_sources(d):
    for kind in ListKind.values:
        version = services.version_in_force(d.district, kind)
        assert version.number == 1 and version.source == str(defaults.SOURCES[kind])
    certificates = list(services.entries_in_force(d.district, ListKind.CERTIFICATE))
    assert len(certificates) == 20
    assert all(c.handled_by and c.legal_basis == "民发〔2020〕20号" for c in certificates)
    assert {c.title for c in certificates} >= {"无犯罪记录证明", "健在证明", "证件遗失证明"}
    power = services.entries_in_force(d.district, ListKind.POWER)
    assert {e.category for e in power} == {"basic", "cooperative", "withdrawn"}
    # Owning departments are linked where the district has them (民政局 = mz).
    assert (
        services.entries_in_force(d.district, ListKind.DUTY)
        .filter(department=d.departments[0])
        .exists()
    )
    assert services.lists_seed(actor=d.root, district=d.district) == {}


def test_management_command_is_idempotent(d, capsys):
    call_command("seed_admission_lists", district=d.district.code)
    assert "未作改动" in capsys.readouterr().out
    assert ListVersion.objects.filter(district=d.district).count() == len(ListKind.values)
    with pytest.raises(CommandError, match="没有代码"):
        call_command("seed_admission_lists", district="999999")


def test_draft_publish_and_diff(d, coordinator):
    draft = services.list_draft_start(actor=coordinator, district=d.district, kind="negative")
    assert draft.number == 2 and draft.status == "draft"
    # Asking again returns the same open draft.
    assert (
        services.list_draft_start(actor=coordinator, district=d.district, kind="negative") == draft
    )
    services.list_entry_save(
        actor=coordinator, version=draft, key="FM-11", title="代部门收取各类费用",
        legal_basis="厅字〔2022〕28号", keywords="代收费用,收费",
    )  # fmt: skip
    services.list_entry_save(
        actor=coordinator, version=draft, key="FM-01", title="招商引资任务",
        legal_basis="厅字〔2022〕28号", keywords="招商引资,招商",
    )  # fmt: skip
    services.list_entry_remove(actor=coordinator, entry=draft.entries.get(key="FM-09"))
    old = services.version_in_force(d.district, "negative")
    diff = selectors.diff_versions(old, draft)
    assert [e.key for e in diff.added] == ["FM-11"]
    assert [e.key for e in diff.removed] == ["FM-09"]
    assert [(after.key, fields) for _b, after, fields in diff.changed] == [
        ("FM-01", ["事项名称", "法律政策依据", "匹配关键词"])
    ]
    # Published for next week: the old version stays in force until then.
    today = services.local_today()
    services.list_publish(
        actor=coordinator, version=draft, effective_from=today + datetime.timedelta(days=7)
    )
    assert services.version_in_force(d.district, "negative") == old
    later = today + datetime.timedelta(days=8)
    assert services.version_in_force(d.district, "negative", on=later) == draft
    # A published version is frozen.
    with pytest.raises(ValidationError, match="已发布"):
        services.list_entry_save(actor=coordinator, version=draft, key="X", title="x", keywords="x")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"key": "有 空格"}, "编号"),
        ({"title": "  "}, "事项名称不能为空"),
        ({"keywords": ""}, "匹配关键词"),
    ],
)
def test_bad_entries_write_nothing(d, coordinator, changes, message):
    draft = services.list_draft_start(actor=coordinator, district=d.district, kind="negative")
    before = (ListEntry.objects.count(), AuditEvent.objects.count())
    values = {"key": "FM-99", "title": "新事项", "keywords": "新事项"} | changes
    with pytest.raises(ValidationError, match=message):
        services.list_entry_save(actor=coordinator, version=draft, **values)
    assert (ListEntry.objects.count(), AuditEvent.objects.count()) == before


def test_certificate_needs_the_authority_and_power_needs_a_category(d, coordinator):
    cert = services.list_draft_start(actor=coordinator, district=d.district, kind="certificate")
    with pytest.raises(ValidationError, match="由哪个机关办理"):
        services.list_entry_save(
            actor=coordinator, version=cert, key="ZM-21", title="缴费票据遗失证明",
            category="must_not_issue",
        )  # fmt: skip
    power = services.list_draft_start(actor=coordinator, district=d.district, kind="power")
    with pytest.raises(ValidationError, match="基本履职"):
        services.list_entry_save(
            actor=coordinator, version=power, key="JD-99", title="x", category="其他"
        )


def test_publish_refuses_past_dates_and_empty_lists(d, coordinator):
    draft = services.list_draft_start(actor=coordinator, district=d.district, kind="duty")
    yesterday = services.local_today() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="不能早于今天"):
        services.list_publish(actor=coordinator, version=draft, effective_from=yesterday)
    for entry in list(draft.entries.all()):
        services.list_entry_remove(actor=coordinator, entry=entry)
    with pytest.raises(ValidationError, match="清单为空"):
        services.list_publish(
            actor=coordinator, version=draft, effective_from=services.local_today()
        )
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize("key", ["department_officer:own", "street_officer:own", "resident:own"])
def test_only_coordinator_and_admin_edit(d, key):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.list_draft_start(actor=d.users[key], district=d.district, kind="duty")
    assert AuditEvent.objects.count() == before


def test_every_logged_in_user_reads_published_lists_but_not_drafts(client, d, coordinator):
    draft = services.list_draft_start(actor=coordinator, district=d.district, kind="duty")
    assert client.get(reverse("admission:lists")).status_code == 302  # anonymous → login
    assert client.login(username=d.logins["resident:own"], password=PASSWORD)
    page = client.get(reverse("admission:lists"), {"kind": "certificate"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "无犯罪记录证明" in html and "公安机关" in html
    assert client.get(reverse("admission:version_detail", args=[draft.pk])).status_code == 404
    assert client.post(reverse("admission:lists"), {"action": "draft"}).status_code == 403
    v1 = services.version_in_force(d.district, "duty")
    assert client.get(reverse("admission:version_detail", args=[v1.pk])).status_code == 200


def test_coordinator_edits_through_the_pages(client, d, coordinator):
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    response = client.post(reverse("admission:lists") + "?kind=assistance", {"action": "draft"})
    draft = ListVersion.objects.get(district=d.district, kind="assistance", status="draft")
    assert response["Location"] == reverse("admission:version_detail", args=[draft.pk])
    url = reverse("admission:version_detail", args=[draft.pk])
    response = client.post(
        url,
        {"action": "save_entry", "key": "XZ-13", "title": "协助做好燃气安全宣传", "legal_basis": "《城镇燃气管理条例》"},
    )  # fmt: skip
    assert response.status_code == 302
    response = client.post(url, {"action": "publish", "effective_from": "2000-01-01"})
    assert "不能早于今天" in response.content.decode()
    today = services.local_today().isoformat()
    assert client.post(url, {"action": "publish", "effective_from": today}).status_code == 302
    diff = client.get(reverse("admission:version_diff", args=[draft.pk])).content.decode()
    assert "XZ-13" in diff and "协助做好燃气安全宣传" in diff
    assert services.version_in_force(d.district, "assistance") == draft


def test_settings_page_sets_the_review_deadline(client, d):
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    assert reverse("admission:settings") in client.get(reverse("admission:lists")).content.decode()
    bad = client.post(reverse("admission:settings"), {"review_working_days": "0"})
    assert bad.status_code == 200 and services.review_working_days(d.district) == 15
    assert (
        client.post(reverse("admission:settings"), {"review_working_days": "10"}).status_code == 302
    )
    assert services.review_working_days(d.district) == 10
    client.logout()
    assert client.login(username=d.logins["department_officer:own"], password=PASSWORD)
    assert client.get(reverse("admission:settings")).status_code == 403
