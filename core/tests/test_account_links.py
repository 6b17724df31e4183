"""A resident who signed up is linked to their registry record only after a community worker of
their community checked it (issue #15 item 5): the request, the scoped queue, approval (the
account becomes the person's, with the resident role where they live) and refusal with a reason,
as roles x places, and the bad paths that change nothing."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from core import selectors, services
from core.models import (
    AccountLink,
    AuditEvent,
    CodePurpose,
    LinkState,
    Notification,
    Person,
    Role,
    RoleAssignment,
)
from core.services.sms_codes import SmsGate, code_send
from core.testing import ROLE_HOME_LEVEL, attempt_allowed
from notify import sms

pytestmark = pytest.mark.django_db

ID = "320104195001011237"
NUMBER = "13912345678"
PASSWORD = "Kaiyuan-2026-lu"


@pytest.fixture(autouse=True)
def console_sms(settings):
    settings.SMS = {"BACKEND": "console"}
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def signed_up(number: str = NUMBER):
    code_send(
        gate=SmsGate(RequestFactory().post("/", REMOTE_ADDR="10.0.0.1"), number),
        purpose=CodePurpose.SIGNUP,
    )
    code = re.search(r"验证码是(\d{6})", sms.outbox[-1]["text"]).group(1)
    return services.resident_signup(mobile=number, code=code, password=PASSWORD, password2=PASSWORD)


@pytest.fixture
def record(d):
    """A resident on file in the registry (own side's first grid), with no account."""
    return services.person_register(
        actor=d.root, place=d.grids[0], name="王秀英", id_number=ID, mobile=NUMBER
    )


@pytest.fixture
def link(d, record):
    user = signed_up()
    return services.account_link_request(
        actor=user, community=d.communities[0], name="王秀英", id_number=ID
    )


def test_a_request_waits_in_its_communitys_queue_only(d, link):
    assert link.state == LinkState.PENDING and link.person is not None
    assert link.id_number_masked == "320104********1237"
    assert AuditEvent.objects.filter(action="account.link_requested", place=d.communities[0])
    assert list(selectors.account_links_to_review(d.users["community_worker:own"])) == [link]
    assert list(selectors.account_links_to_review(d.root)) == [link]
    for key in d.users:
        if key != "community_worker:own":
            assert not selectors.account_links_to_review(d.users[key]).exists(), key


def test_only_the_communitys_worker_decides(d, link):
    """Roles x places: each role held at its own-side and other-side place, and superuser."""
    counted = [AccountLink.objects.filter(state=LinkState.PENDING)]
    allowed = {}
    for key, user in [*d.users.items(), ("superuser", d.root)]:
        for action, call in (
            ("approve", lambda u=user: services.account_link_approve(actor=u, link=link)),
            ("refuse", lambda u=user: services.account_link_refuse(actor=u, link=link, reason="x")),
        ):
            allowed[(key, action)] = attempt_allowed(call, label=f"{key} {action}", counted=counted)
            assert allowed[(key, action)] == user.has_perm("core.review_account_link", link)
    expected = {"community_worker:own", "superuser"}
    assert {key for key, action in allowed if allowed[(key, action)]} == expected
    # Every role, at both sides where it can be: a district role has only its own side.
    district_roles = [role for role, level in ROLE_HOME_LEVEL.items() if level == "district"]
    assert len(d.users) == 2 * len(ROLE_HOME_LEVEL) - len(district_roles)


def test_approval_links_the_account_and_makes_it_a_resident_there(d, link, record):
    worker = d.users["community_worker:own"]
    services.account_link_approve(actor=worker, link=link)
    record.refresh_from_db()
    link.refresh_from_db()
    assert record.account == link.user and link.state == LinkState.APPROVED
    assert link.decided_by == worker and link.decided_at is not None
    assert RoleAssignment.objects.active().get(user=link.user).role == Role.RESIDENT
    assert RoleAssignment.objects.active().get(user=link.user).place == d.grids[0]
    assert Notification.objects.filter(user=link.user, title__contains="账号已关联").exists()
    assert AuditEvent.objects.filter(action="account.link_approved", actor=worker).exists()
    with pytest.raises(ValidationError, match="已经处理过"):
        services.account_link_approve(actor=worker, link=link)
    with pytest.raises(ValidationError, match="已关联居民信息"):
        services.account_link_request(
            actor=link.user, community=d.communities[0], name="王秀英", id_number=ID
        )


def test_refusal_needs_a_reason_and_tells_the_resident(d, link):
    worker = d.users["community_worker:own"]
    with pytest.raises(ValidationError):
        services.account_link_refuse(actor=worker, link=link, reason="  ")
    services.account_link_refuse(actor=worker, link=link, reason="姓名与登记不符")
    link.refresh_from_db()
    assert link.state == LinkState.REFUSED and link.note == "姓名与登记不符"
    assert Notification.objects.filter(user=link.user, title__contains="姓名与登记不符").exists()
    again = services.account_link_request(
        actor=link.user, community=d.communities[0], name="王秀英", id_number=ID
    )
    assert again.state == LinkState.PENDING


def test_bad_requests_change_nothing(d, record):
    user = signed_up()
    before = AccountLink.objects.count(), AuditEvent.objects.count()
    for community, name, id_number, message in (
        (d.communities[0], "王秀英", "320104195001011238", "身份证号"),
        (d.streets[0], "王秀英", ID, "请选择您居住的社区"),
        (d.communities[0], "", ID, "姓名"),
    ):
        with pytest.raises(ValidationError, match=message):
            services.account_link_request(
                actor=user, community=community, name=name, id_number=id_number
            )
    assert (AccountLink.objects.count(), AuditEvent.objects.count()) == before
    services.account_link_request(actor=user, community=d.communities[0], name="王", id_number=ID)
    with pytest.raises(ValidationError, match="等待社区核实"):
        services.account_link_request(
            actor=user, community=d.communities[0], name="王秀英", id_number=ID
        )


def test_what_cannot_be_approved(d, record):
    worker = d.users["community_worker:own"]
    user = signed_up()
    # Not on file.
    nobody = services.account_link_request(
        actor=user, community=d.communities[0], name="李四", id_number="320104198507153818"
    )
    with pytest.raises(ValidationError, match="没有这个身份证号"):
        services.account_link_approve(actor=worker, link=nobody)
    services.account_link_refuse(actor=worker, link=nobody, reason="查无此人")
    # On file in another community than the one named (the worker of the named one decides).
    other_worker = d.users["community_worker:other"]
    elsewhere = services.account_link_request(
        actor=user, community=d.communities[2], name="王秀英", id_number=ID
    )
    with pytest.raises(ValidationError, match="登记在其他社区"):
        services.account_link_approve(actor=other_worker, link=elsewhere)
    services.account_link_refuse(actor=other_worker, link=elsewhere, reason="不是本社区居民")
    # The person has an account already.
    first = signed_up("13912345679")
    services.account_link_approve(
        actor=worker,
        link=services.account_link_request(
            actor=first, community=d.communities[0], name="王秀英", id_number=ID
        ),
    )
    late = services.account_link_request(
        actor=user, community=d.communities[0], name="王秀英", id_number=ID
    )
    with pytest.raises(ValidationError, match="已有登录账号"):
        services.account_link_approve(actor=worker, link=late)
    assert Person.objects.get(pk=record.pk).account == first


def test_the_pages(client, d, link):
    worker = d.users["community_worker:own"]
    client.force_login(link.user)
    mine = client.get(reverse("account_link")).content.decode()
    assert 'id="link-pending"' in mine and "待核实" in mine
    assert client.get(reverse("account_links")).status_code == 403

    client.force_login(d.users["community_worker:other"])
    assert "暂无待核实的申请" in client.get(reverse("account_links")).content.decode()
    # A link outside one's queue is not found, and nothing changes.
    assert (
        client.post(reverse("account_links"), {"link": link.pk, "action": "approve"}).status_code
        == 404
    )

    client.force_login(worker)
    queue = client.get(reverse("account_links")).content.decode()
    assert "王秀英" in queue and "320104********1237" in queue and "手机号一致" in queue
    assert f'href="{reverse("person_detail", args=[link.person_id])}"' in queue
    assert f'href="{reverse("account_links")}"' in queue  # in the menu
    empty = client.post(
        reverse("account_links"), {"link": link.pk, "action": "refuse"}, follow=True
    )
    assert "请填写不通过的原因" in empty.content.decode()
    done = client.post(
        reverse("account_links"), {"link": link.pk, "action": "approve"}, follow=True
    )
    assert "已关联" in done.content.decode()
    assert Person.objects.get(pk=link.person_id).account_id == link.user_id

    client.force_login(link.user)
    assert "您的账号已关联居民信息" in client.get(reverse("account_link")).content.decode()
    assert client.get(reverse("workbench")).status_code == 200


def test_an_unlinked_account_is_sent_to_the_link_page_at_login(client, d):
    signed_up()
    answer = client.post(reverse("login"), {"username": NUMBER, "password": PASSWORD})
    assert answer.status_code == 302 and answer.url == reverse("account_link")
    page = client.get(reverse("account_link")).content.decode()
    assert "第1街道 · 第1街道第1社区" in page
    posted = client.post(
        reverse("account_link"),
        {"community": d.communities[0].pk, "name": "王秀英", "id_number": "12345"},
    )
    assert "身份证号" in posted.content.decode() and not AccountLink.objects.exists()
    assert client.get(reverse("workbench")).status_code == 200


def test_people_who_may_not_see_the_queue(client, d):
    for key in ("resident:own", "grid_worker:own", "street_officer:own", "auditor:own"):
        client.force_login(d.users[key])
        assert client.get(reverse("account_links")).status_code == 403, key


def test_a_refused_reviewer_writes_nothing(d, link):
    with pytest.raises(PermissionDenied):
        services.account_link_approve(actor=d.users["street_officer:own"], link=link)
    assert AccountLink.objects.get(pk=link.pk).state == LinkState.PENDING
