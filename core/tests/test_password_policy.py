"""The password policy at level 3 (issue #20 item 8): a password staff set is changed at the first
login, a staff password past its age is changed before anything else, passwords are at least 12
characters, every validator speaks Chinese, and an idle session is signed out."""

import datetime

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from core import services
from core.models import ApiToken, AuditEvent, Role, User
from core.testing import PASSWORD, build_small_district

pytestmark = [pytest.mark.django_db, pytest.mark.each_kind_of_day]

NEW_PASSWORD = "Qinhuai-river-2027"


@pytest.fixture
def d(kind_of_day):
    return build_small_district()


def _register_with_temporary_password(d, *, role=Role.COMMUNITY_WORKER, username="new-worker"):
    resident = role == Role.RESIDENT
    person = services.person_register(
        actor=d.root, place=d.grids[0] if resident else d.communities[0], name="新同事",
        mobile="13912340000", username="" if resident else username, password=PASSWORD, role=role,
    )  # fmt: skip
    return person.account, ("13912340000" if resident else username)


# ---------------------------------------------------------------- a password someone else set


@pytest.mark.parametrize("role", [Role.COMMUNITY_WORKER, Role.RESIDENT])
def test_a_password_staff_set_is_changed_before_anything_else(client, d, role):
    user, login = _register_with_temporary_password(d, role=role)
    assert user.must_change_password
    assert client.login(username=login, password=PASSWORD)

    for page in ("workbench", "my_data", "notifications"):
        response = client.get(reverse(page))
        assert response.status_code == 302 and response.url == reverse("account"), page
    account = client.get(reverse("account")).content.decode()
    assert 'id="must-change"' in account and "工作人员开通账号时设置" in account
    assert "生成令牌" not in account  # no token from a password someone else knows
    api = client.get("/api/core/me")
    assert api.status_code == 403 and "工作人员开通账号时设置" in api.json()["detail"]

    client.post(
        reverse("account"),
        {"action": "password", "old_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("workbench")).status_code == 200
    assert AuditEvent.objects.filter(
        action="account.password_change", object_id=str(user.pk)
    ).exists()


def test_the_account_that_must_change_cannot_make_a_token_by_posting(client, d):
    user, login = _register_with_temporary_password(d)
    assert client.login(username=login, password=PASSWORD)
    response = client.post(reverse("account"), {"action": "token", "name": "脚本", "scope": "read"})
    assert response.status_code == 302 and response.url == reverse("account")
    assert not ApiToken.objects.filter(user=user).exists()


def test_the_new_password_must_differ_and_a_refusal_changes_nothing(d):
    user, _login = _register_with_temporary_password(d)
    before = User.objects.get(pk=user.pk).password
    with pytest.raises(ValidationError) as refused:
        services.password_change(
            actor=user, user=user, old_password=PASSWORD, new_password=PASSWORD
        )
    assert refused.value.code == "password_unchanged"
    user.refresh_from_db()
    assert user.password == before and user.must_change_password


def test_signing_out_does_not_skip_the_change(client, d):
    user, login = _register_with_temporary_password(d)
    assert client.login(username=login, password=PASSWORD)
    client.get(reverse("logout"))
    assert client.login(username=login, password=PASSWORD)
    assert client.get(reverse("workbench")).url == reverse("account")


# ---------------------------------------------------------------- length and language


def test_passwords_are_at_least_twelve_characters(d):
    user = User(username="someone")
    with pytest.raises(ValidationError) as short:
        validate_password("Abcdefgh123", user=user)  # 11
    assert [e.code for e in short.value.error_list] == ["password_too_short"]
    validate_password("Abcdefgh1234", user=user)  # 12


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1", "password_too_short"),
        ("password1234", "password_too_common"),
        ("839201746512", "password_entirely_numeric"),
        ("onlyletterspassword", "password_letters_digits"),
        ("someone-login-1", "password_too_similar"),
    ],
)
def test_every_validator_message_is_in_chinese(d, password, code):
    user = User(username="someone-login")
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password(password, user=user)
    by_code = {e.code: " ".join(e.messages) for e in refused.value.error_list}
    assert code in by_code
    with translation.override("zh-hans"):
        text = " ".join(str(m) for m in refused.value.messages)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text), text
    assert not any(word in text.lower() for word in ("password", "this", "too")), text


# ---------------------------------------------------------------- age


def test_a_staff_password_past_its_age_is_changed_at_the_next_page(client, d, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    worker = d.users["community_worker:own"]
    resident = d.users["resident:own"]
    now = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(now + datetime.timedelta(days=89), tick=False):
        assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
        assert client.get(reverse("workbench")).status_code == 200
    with time_machine.travel(now + datetime.timedelta(days=91), tick=False):
        # An expired password still signs in (no lock-out), and then asks to be changed.
        assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
        assert client.get(reverse("workbench")).url == reverse("account")
        page = client.get(reverse("account")).content.decode()
        assert "已使用超过90天" in page
        # A resident's password has no age: the rule is for accounts that reach others' data.
        client.logout()
        assert client.login(username=d.logins["resident:own"], password=PASSWORD)
        assert client.get(reverse("workbench")).status_code == 200
        client.logout()
        services.password_change(
            actor=worker, user=worker, old_password=PASSWORD, new_password=NEW_PASSWORD
        )
        assert client.login(username=d.logins["community_worker:own"], password=NEW_PASSWORD)
        assert client.get(reverse("workbench")).status_code == 200
    assert resident.password_changed_at is not None


def test_no_age_when_the_setting_is_zero(client, d, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 0
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=3650)
    with time_machine.travel(later, tick=False):
        assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
        assert client.get(reverse("workbench")).status_code == 200


# ---------------------------------------------------------------- idle sessions


def test_an_idle_session_is_signed_out(client, d, settings):
    settings.IDLE_TIMEOUT_MINUTES = 30
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
        assert client.get(reverse("workbench")).status_code == 200
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("workbench")).status_code == 200  # activity resets the wait
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("person_list")).status_code == 200
        clock.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("person_list"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login")) and "next=" in response.url
        login_page = client.get(response.url).content.decode()
        assert "30分钟未操作" in login_page
        # Signed out for good: the next page asks for a login too.
        assert client.get(reverse("workbench")).url.startswith(reverse("login"))


def test_an_idle_session_cannot_write(client, d, settings):
    settings.IDLE_TIMEOUT_MINUTES = 30
    start = datetime.datetime.now(tz=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        assert client.login(username=d.logins["community_worker:own"], password=PASSWORD)
        client.get(reverse("workbench"))
        clock.shift(datetime.timedelta(minutes=31))
        tokens = ApiToken.objects.count()
        response = client.post(
            reverse("account"), {"action": "token", "name": "闲置后", "scope": "read"}
        )
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert ApiToken.objects.count() == tokens
