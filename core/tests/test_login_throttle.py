"""Found by probing from outside: a locked account answered in 30 ms and an unknown one in 900 ms,
so anyone could tell residents' mobile numbers from strangers' and lock any account, the
administrator's included, for 15 minutes. Now no account is ever locked: failures are counted per
login name (a keyed hash, so a name with an account and one without behave alike) and per
address; after a few, a CAPTCHA and a doubling delay are asked of the next attempt, and the right
password still works after them. Unknown, wrong and refused attempts answer alike and cost one
password hash each (asserted by counting the hasher's calls, never by timing).
"""

import re
from unittest import mock

import pytest
from captcha.models import CaptchaStore
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client, RequestFactory
from django.urls import reverse

from core.models import AuditEvent, User
from core.testing import PASSWORD
from core.throttle import LoginGate, LoginRefused, delay_after, login_name, masked_login

pytestmark = pytest.mark.django_db
WRONG = "wrong-Password-1"
UNKNOWN = "13900000000"  # a well-formed mobile number nobody registered


@pytest.fixture
def hashes():
    """How many times a password was hashed (a check hashes the candidate once)."""
    with mock.patch.object(
        MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
    ) as spy:
        yield spy


def resident_mobile(d) -> str:
    from core import personal_data

    person = d.users["resident:own"].person
    return personal_data.decrypt(person.mobile_enc)


def attempt(client, login, password, *, solve=None, **extra):
    """POST the login form; `solve` is the previous answer, whose CAPTCHA is solved if shown."""
    data = {"username": login, "password": password}
    if solve is not None and "captcha" in solve.context["form"].fields:
        key = re.search(rb'name="captcha_0" value="([0-9a-f]+)"', solve.content).group(1).decode()
        data |= {"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response}
    return client.post(reverse("login"), data, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def errors(response) -> list[str]:
    form = response.context["form"]
    return [error.code for error in form.errors.as_data().get("__all__", [])] + sorted(
        f"{name}:{error.code or error.message}"
        for name, found in form.errors.as_data().items()
        if name != "__all__"
        for error in found
    )


def shape(response) -> tuple:
    """What an attacker sees of an answer, with the per-request tokens taken out."""
    page = re.sub(rb'(value|nonce)="[^"]*"', rb'\1=""', response.content)
    page = re.sub(rb'"X-CSRFToken": "[^"]*"', b'"X-CSRFToken": ""', page)
    page = re.sub(rb"/captcha/image/[0-9a-f]+/", b"/captcha/image/KEY/", page)
    return response.status_code, page


def test_unknown_and_known_names_answer_alike_at_the_same_cost(client, d, hashes, clock):
    known, unknown = d.logins["coordinator:own"], "no-such-user"
    sides = {}
    for name in (known, unknown):
        hashes.reset_mock()
        answer = attempt(Client(), name, WRONG)
        assert hashes.call_count == 1, name
        sides[name] = answer
    assert errors(sides[known]) == errors(sides[unknown]) == ["invalid_login"]
    page = {name: shape(answer) for name, answer in sides.items()}
    assert page[known][0] == page[unknown][0] == 200
    assert page[known][1].replace(known.encode(), b"NAME") == page[unknown][1].replace(
        unknown.encode(), b"NAME"
    )


@pytest.mark.parametrize("which", ["known username", "known mobile", "unknown mobile"])
def test_every_name_meets_the_same_captcha_and_delay(d, hashes, clock, settings, which):
    login = {
        "known username": d.logins["coordinator:own"],
        "known mobile": resident_mobile(d),
        "unknown mobile": UNKNOWN,
    }[which]
    client = Client()
    seen = []
    for _attempt in range(settings.LOGIN_CAPTCHA_AFTER):
        answer = attempt(client, login, WRONG)
        seen.append((errors(answer), "captcha" in answer.context["form"].fields))
    assert seen[-1] == (["invalid_login"], True)  # the failure that makes a CAPTCHA needed
    assert all(seen[i] == (["invalid_login"], False) for i in range(len(seen) - 1))
    # Too early (the delay after the third failure is a second): refused, whatever the name.
    hashes.reset_mock()
    early = attempt(client, login, WRONG, solve=answer)
    assert errors(early) == ["too_early"] and hashes.call_count == 1
    assert "请在1秒后再试" in early.content.decode()
    # On time but without the CAPTCHA: refused too, the password unchecked but as costly.
    clock.shift(1)
    hashes.reset_mock()
    unsolved = attempt(client, login, WRONG)
    assert errors(unsolved) == ["captcha:required"] and hashes.call_count == 1
    # A wrong CAPTCHA is refused the same way, with a new image to try.
    key = re.search(rb'name="captcha_0" value="([0-9a-f]+)"', unsolved.content).group(1)
    wrong = client.post(
        reverse("login"),
        {"username": login, "password": WRONG, "captcha_0": key.decode(), "captcha_1": "????"},
    )
    assert errors(wrong) == ["captcha:验证码不正确，请重新输入。"]
    assert re.search(rb'name="captcha_0" value="([0-9a-f]+)"', wrong.content).group(1) != key
    # Solved and on time: the password is checked (and wrong), and the delay doubles.
    hashes.reset_mock()
    checked = attempt(client, login, WRONG, solve=wrong)
    assert errors(checked) == ["invalid_login"] and hashes.call_count == 1
    assert errors(attempt(client, login, WRONG, solve=checked)) == ["too_early"]


def test_the_delay_doubles_up_to_its_cap(settings):
    settings.LOGIN_CAPTCHA_AFTER = 3
    settings.LOGIN_DELAY_SECONDS = 1
    settings.LOGIN_DELAY_MAX_SECONDS = 300
    delays = [delay_after(n) for n in range(15)]
    assert delays[:3] == [0, 0, 0]
    assert delays[3:12] == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert delays[12:] == [300, 300, 300]
    assert delay_after(10_000) == 300


def test_the_real_user_logs_in_after_an_attackers_failures(d, clock, settings):
    """No lock: whatever an attacker did to the name, the owner solves one CAPTCHA, waits at
    most the cap, and is in; the count starts again after a success."""
    login = d.logins["admin:own"]
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    answer = None
    for _attempt in range(settings.LOGIN_CAPTCHA_AFTER + 10):
        clock.shift(settings.LOGIN_DELAY_MAX_SECONDS)
        answer = attempt(attacker, login, WRONG, solve=answer)
        assert errors(answer) == ["invalid_login"]
    owner = Client(REMOTE_ADDR="198.51.100.20")
    shown = attempt(owner, login, PASSWORD)  # too early, and a CAPTCHA is needed
    assert not logged_in(owner) and "too_early" in errors(shown)
    clock.shift(settings.LOGIN_DELAY_MAX_SECONDS)
    assert attempt(owner, login, PASSWORD, solve=shown).status_code == 302
    assert logged_in(owner)
    # The success forgets the failures: the next login needs neither a CAPTCHA nor a wait.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert "captcha" not in other.get(reverse("login")).context["form"].fields
    assert attempt(other, login, PASSWORD).status_code == 302


def test_failures_are_forgotten_a_day_after_the_last(d, clock, settings):
    login = d.logins["coordinator:own"]
    for _attempt in range(settings.LOGIN_CAPTCHA_AFTER):
        attempt(Client(), login, WRONG)
    clock.shift(settings.LOGIN_FAILURES_FORGOTTEN_AFTER + 1)
    assert attempt(Client(), login, PASSWORD).status_code == 302


def test_many_names_failing_from_one_address_need_a_captcha_there_only(d, clock, settings):
    settings.LOGIN_ADDRESS_CAPTCHA_RATE = "5/h"
    sprayer = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(5):
        assert errors(attempt(sprayer, f"guess-{n}", WRONG)) == ["invalid_login"]
    # A fresh name from that address needs a CAPTCHA, even the right password...
    blocked = attempt(sprayer, d.logins["coordinator:own"], PASSWORD)
    assert errors(blocked) == ["captcha:required"] and not logged_in(sprayer)
    # ...and the page asks for one before anything is typed.
    assert "captcha" in sprayer.get(reverse("login")).context["form"].fields
    # Elsewhere, the same account logs in as usual.
    elsewhere = Client(REMOTE_ADDR="198.51.100.9")
    assert attempt(elsewhere, d.logins["coordinator:own"], PASSWORD).status_code == 302
    assert attempt(sprayer, d.logins["coordinator:own"], PASSWORD, solve=blocked).status_code == 302


def test_one_name_and_its_other_spellings_count_together(d, clock, settings):
    mobile = resident_mobile(d)
    spellings = [mobile, f"+86 {mobile[:3]}-{mobile[3:7]}-{mobile[7:]}", f"86{mobile}"]
    assert len({login_name(s) for s in spellings}) == 1
    assert login_name("Admin-Own") == login_name("admin-own")
    for spelling in spellings[: settings.LOGIN_CAPTCHA_AFTER]:
        attempt(Client(), spelling, WRONG)
    assert "captcha" in attempt(Client(), spellings[0], PASSWORD).context["form"].fields


def test_attempts_sent_together_are_checked_one_at_a_time(d, clock):
    """Only the attempt that claims the name's state checks its password; the others, sent at the
    same moment, are refused as too early rather than slipping through before it is counted."""
    request = RequestFactory().post("/login/", REMOTE_ADDR="203.0.113.8")
    first, second = LoginGate(request, "someone"), LoginGate(request, "someone")
    first.admit(captcha_solved=False)
    with pytest.raises(LoginRefused) as refused:
        second.admit(captcha_solved=False)
    assert refused.value.reason == "too_early"
    first.failed()
    third = LoginGate(request, "someone")
    third.admit(captcha_solved=False)  # the next state is free to claim
    third.succeeded()
    # Back at no failures, the name is free again at once (a fresh state is claimable).
    LoginGate(request, "someone").admit(captcha_solved=False)


def test_an_inactive_account_reads_as_a_wrong_password(d, clock, hashes):
    user = d.users["grid_worker:own"]
    User.objects.filter(pk=user.pk).update(is_active=False)
    answer = attempt(Client(), d.logins["grid_worker:own"], PASSWORD)
    assert errors(answer) == ["invalid_login"] and hashes.call_count == 1
    assert "该账号已停用" not in answer.content.decode()


def test_logins_failures_refusals_and_logouts_are_audited(d, clock, settings):
    login = d.logins["coordinator:own"]
    user = d.users["coordinator:own"]
    client = Client(REMOTE_ADDR="198.51.100.30")
    attempt(client, "Nobody-Here", WRONG)
    for _attempt in range(settings.LOGIN_CAPTCHA_AFTER):
        attempt(client, login, WRONG)
    attempt(client, login, PASSWORD)  # too early
    clock.shift(1)
    unsolved = attempt(client, login, PASSWORD)  # no CAPTCHA
    assert attempt(client, login, PASSWORD, solve=unsolved).status_code == 302
    client.post(reverse("logout"))

    events = list(AuditEvent.objects.order_by("id"))
    _assert_failures_audited_masked(events, user, login)
    _assert_refusals_and_the_session_audited(events, user, settings)


def _assert_failures_audited_masked(events, user, login):
    """Each failure: the login name masked, the account (when there is one), the count, the
    address; neither the login name nor the password anywhere in the trail."""
    failed = [e for e in events if e.action == "account.login_failed"]
    assert [e.changes["login"] for e in failed] == ["n***e"] + ["c***4"] * 3
    assert failed[0].object_id == ""
    assert {e.object_id for e in failed[1:]} == {str(user.pk)}
    assert [e.changes["failures"] for e in failed[1:]] == [1, 2, 3]
    assert {(e.actor, e.client_ip) for e in failed} == {(None, "198.51.100.30")}
    assert not [e for e in events if login in str(e.changes) or WRONG in str(e.changes)]


def _assert_refusals_and_the_session_audited(events, user, settings):
    by_action = {}
    for event in events:
        by_action.setdefault(event.action, []).append(event)
    [required] = by_action["account.captcha_required"]
    assert required.changes["failures"] == settings.LOGIN_CAPTCHA_AFTER
    refused = [e.changes["reason"] for e in by_action["account.login_refused"]]
    assert refused == ["too_early", "captcha"]
    [logged] = by_action["account.login"]
    [out] = by_action["account.logout"]
    assert logged.actor == out.actor == user


def test_masked_login_names():
    assert masked_login("13912345678") == "139****5678"
    assert masked_login(" +86 139-1234-5678 ") == "139****5678"
    assert masked_login("Admin-Own") == "a***n"
    assert masked_login("ab") == "***"


def test_the_captcha_image_is_served_from_this_site_under_the_policy(client, clock, settings):
    settings.LOGIN_ADDRESS_CAPTCHA_RATE = "1/h"
    attempt(client, "someone", WRONG)
    page = client.get(reverse("login"))
    src = re.search(rb'<img src="(/captcha/image/[0-9a-f]+/)"', page.content).group(1).decode()
    image = client.get(src)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    policy = page["Content-Security-Policy"]
    assert "img-src 'self'" in policy
