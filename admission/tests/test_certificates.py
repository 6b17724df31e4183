"""Certificates: answered from the list in force — issued with a number and code, or redirected."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from admission import services
from admission.models import CertificateAnswer, ListKind
from core.models import AuditEvent
from core.testing import PASSWORD
from core.tests.refused import refused

pytestmark = pytest.mark.django_db


def certificate(d, key):
    return services.entries_in_force(d.district, ListKind.CERTIFICATE).get(key=key)


def test_must_not_issue_is_redirected_and_counted(d):
    resident = d.users["resident:own"]  # lives in a grid of communities[0]
    answer = services.certificate_answer(
        actor=resident, community=d.communities[0], entry=certificate(d, "ZM-05")
    )
    assert answer.outcome == "redirected" and answer.handled_by == "公安机关"
    assert answer.number is None and answer.street == d.streets[0]
    assert AuditEvent.objects.filter(action="admission.certificate_answer").count() == 1


def test_a_may_issue_certificate_is_numbered_and_verifiable(client, d, coordinator):
    draft = services.list_draft_start(actor=coordinator, district=d.district, kind="certificate")
    services.list_entry_save(
        actor=coordinator, version=draft, key="ZM-K1", title="居住情况证明（示例）",
        category="may_issue", legal_basis="（示例：法规要求由居委会出具）",
    )  # fmt: skip
    services.list_publish(actor=coordinator, version=draft, effective_from=services.local_today())
    entry = draft.entries.get(key="ZM-K1")
    worker = d.users["community_worker:own"]
    # A resident cannot issue it; nothing is written.
    with pytest.raises(PermissionDenied, match="社区工作人员核实"):
        services.certificate_answer(
            actor=d.users["resident:own"], community=d.communities[0], entry=entry,
            subject_name="张三",
        )  # fmt: skip
    assert CertificateAnswer.objects.count() == 0
    with refused("required", match="证明对象姓名不能为空"):
        services.certificate_answer(actor=worker, community=d.communities[0], entry=entry)
    answer = services.certificate_answer(
        actor=worker, community=d.communities[0], entry=entry, subject_name="张三", purpose="入学"
    )
    assert answer.outcome == "issued" and answer.number.startswith(d.communities[0].code)
    assert len(answer.verification_code) == 10
    # The old version's entries no longer answer.
    with pytest.raises(ValidationError, match="不在现行有效"):
        services.certificate_answer(
            actor=worker, community=d.communities[0], entry=draft.based_on.entries.get(key="ZM-05")
        )
    # Anyone can verify the code, without logging in; a wrong code is not found.
    page = client.get(reverse("admission:certificate_verify"), {"code": answer.verification_code})
    assert answer.number in page.content.decode() and 'data-verified="1"' in page.content.decode()
    wrong = client.get(reverse("admission:certificate_verify"), {"code": "NOPE"})
    assert 'data-verified="0"' in wrong.content.decode()
    assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    printed = client.get(reverse("admission:certificate_print", args=[answer.pk]))
    assert "张三" in printed.content.decode()
    pdf = client.get(reverse("admission:certificate_pdf", args=[answer.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.logout()
    assert client.login(username=d.logins["community_worker:other"], password=PASSWORD)
    assert client.get(reverse("admission:certificate_print", args=[answer.pk])).status_code == 404
    assert client.get(reverse("admission:certificate_pdf", args=[answer.pk])).status_code == 404


def test_only_at_ones_own_community(d):
    with pytest.raises(PermissionDenied):
        services.certificate_answer(
            actor=d.users["community_worker:own"], community=d.communities[2],
            entry=certificate(d, "ZM-10"),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.certificate_answer(
            actor=d.users["street_officer:own"], community=d.communities[0],
            entry=certificate(d, "ZM-10"),
        )  # fmt: skip


def test_certificate_page_answers_and_records(client, d):
    assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    page = client.get(reverse("admission:certificates"), {"q": "健在"})
    assert [e.title for e in page.context["entries"]] == ["健在证明"]
    assert "社会保险经办机构" in page.content.decode()
    entry = certificate(d, "ZM-10")
    response = client.post(
        reverse("admission:certificates"),
        {"community": d.communities[0].pk, "entry": entry.pk},
    )
    assert response.status_code == 302
    answer = CertificateAnswer.objects.get()
    assert answer.outcome == "redirected" and answer.asked_by == d.users["community_worker:own"]
    followed = client.get(response["Location"]).content.decode()
    assert "本月已引导 1 次" in followed
