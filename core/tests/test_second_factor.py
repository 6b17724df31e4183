"""Staff confirm each sign-in with an authenticator code (issue #20 item 8): the first sign-in sets
the authenticator up, later ones ask for its code; residents are not asked; wrong codes are
audited and slowed down; an administrator resets a lost one."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import services
from core.models import AuditEvent
from core.testing import PASSWORD, build_small_district

pytestmark = pytest.mark.django_db

WORKER = "community_worker:own"


@pytest.fixture
def d(settings):
    settings.STAFF_SECOND_FACTOR = True
    return build_small_district()


def code_of(device: TOTPDevice, *, later: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + later * device.step
    return f"{totp.token():0{device.digits}d}"


def signed_in(client, d, key=WORKER):
    assert client.login(username=d.logins[key], password=PASSWORD)
    return client


def enrolled(client, d, key=WORKER) -> TOTPDevice:
    """Walk the first sign-in of `key` through the set-up; returns the confirmed authenticator."""
    signed_in(client, d, key)
    client.post(reverse("second_factor"), {"action": "enrol"})
    device = TOTPDevice.objects.get(user=d.users[key])
    client.post(reverse("second_factor"), {"action": "code", "code": code_of(device)})
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_the_first_staff_sign_in_sets_the_authenticator_up(client, d):
    signed_in(client, d)
    response = client.get(reverse("person_list"))
    assert response.status_code == 302
    assert response.url == f"{reverse('second_factor')}?next={reverse('person_list')}"
    page = client.get(response.url).content.decode()
    assert "开始绑定" in page and not TOTPDevice.objects.exists()
    # No menu until the sign-in is finished: each of its pages would send back here.
    assert f'href="{reverse("person_list")}"' not in page and reverse("logout") in page
    assert "has-error" not in page  # nothing posted yet, so nothing refused

    response = client.post(
        reverse("second_factor"), {"action": "enrol", "next": reverse("person_list")}
    )
    setup = client.get(response.url).content.decode()
    device = TOTPDevice.objects.get(user=d.users[WORKER], confirmed=False)
    assert 'id="second-factor-qr"' in setup and "<svg" in setup
    assert "second-factor-key" in setup and "has-error" not in setup
    # Still locked out until a right code confirms it.
    assert client.get(reverse("workbench")).status_code == 302

    wrong = client.post(reverse("second_factor"), {"action": "code", "code": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    done = client.post(
        reverse("second_factor"),
        {"action": "code", "code": code_of(device), "next": reverse("person_list")},
    )
    assert done.status_code == 302 and done.url == reverse("person_list")
    assert client.get(reverse("person_list")).status_code == 200
    assert AuditEvent.objects.filter(
        action="account.second_factor_enrolled", object_id=str(d.users[WORKER].pk)
    ).exists()


def test_later_sign_ins_ask_for_the_code_and_a_code_works_once(client, d):
    device = enrolled(client, d)
    client.logout()
    signed_in(client, d)
    assert client.get(reverse("workbench")).url.startswith(reverse("second_factor"))
    page = client.get(reverse("second_factor")).content.decode()
    assert "开始绑定" not in page and "<svg" not in page  # the key is never shown again

    used = code_of(device, later=1)
    assert (
        client.post(reverse("second_factor"), {"action": "code", "code": used}).status_code == 302
    )
    assert client.get(reverse("workbench")).status_code == 200
    # The same code cannot sign in a second session (replayed).
    other = client.__class__()
    signed_in(other, d)
    replay = other.post(reverse("second_factor"), {"action": "code", "code": used})
    assert replay.status_code == 200 and "验证码不正确" in replay.content.decode()
    assert AuditEvent.objects.filter(action="account.second_factor_failed").exists()


def test_residents_sign_in_with_the_password_alone(client, d):
    signed_in(client, d, "resident:own")
    assert client.get(reverse("workbench")).status_code == 200
    assert client.get(reverse("second_factor")).status_code == 302  # nothing to ask


def test_the_api_refuses_a_session_without_the_code(client, d):
    signed_in(client, d)
    response = client.get("/api/core/me")
    assert response.status_code == 403 and "验证码" in response.json()["detail"]


def test_repeated_wrong_codes_are_slowed_down(client, d):
    device = enrolled(client, d)
    client.logout()
    signed_in(client, d)
    # Five wrong codes: the next try waits 16 s (django-otp doubles from 1 s), far longer than
    # this test takes even on a loaded machine.
    for _ in range(5):
        client.post(reverse("second_factor"), {"action": "code", "code": "123456"})
    throttled = client.post(reverse("second_factor"), {"action": "code", "code": code_of(device)})
    assert "错误次数过多" in throttled.content.decode()
    assert client.get(reverse("workbench")).status_code == 302


@pytest.mark.parametrize("bad", ["", "12345", "abcdef", "1234567", "１２３４５６", "12\x0034"])
def test_malformed_codes_get_a_clear_answer(client, d, bad):
    enrolled(client, d)
    client.logout()
    signed_in(client, d)
    response = client.post(reverse("second_factor"), {"action": "code", "code": bad})
    assert response.status_code == 200
    assert client.get(reverse("workbench")).status_code == 302


def test_next_never_leaves_the_site(client, d):
    device = enrolled(client, d)
    client.logout()
    signed_in(client, d)
    response = client.post(
        reverse("second_factor"),
        {"action": "code", "code": code_of(device, later=1), "next": "https://evil.example/"},
    )
    assert response.url == reverse("workbench")


def test_an_administrator_resets_a_lost_authenticator(client, d):
    enrolled(client, d)
    worker = d.users[WORKER]
    with pytest.raises(PermissionDenied):
        services.second_factor_remove(actor=d.users["grid_worker:own"], user=worker)
    assert TOTPDevice.objects.filter(user=worker).exists()
    services.second_factor_remove(actor=d.users["admin:own"], user=worker)
    assert not TOTPDevice.objects.filter(user=worker).exists()
    assert AuditEvent.objects.filter(action="account.second_factor_removed").exists()
    client.logout()
    signed_in(client, d)
    assert "开始绑定" in client.get(reverse("second_factor")).content.decode()


def test_a_second_authenticator_is_refused(client, d):
    enrolled(client, d)
    with pytest.raises(ValidationError) as refused:
        services.second_factor_enrol(actor=d.users[WORKER])
    assert refused.value.code == "second_factor_exists"


def test_a_superuser_is_asked_too(client, d):
    assert client.login(username=d.root.username, password=PASSWORD)
    assert client.get(reverse("workbench")).url.startswith(reverse("second_factor"))


def test_the_reset_button_shows_only_to_who_may_reset(client, d, settings):
    enrolled(client, d)
    settings.STAFF_SECOND_FACTOR = False  # the other staff here have no authenticator of their own
    worker = d.users[WORKER]
    page = reverse("person_detail", args=[worker.person.pk])
    other = client.__class__()
    assert other.login(username=d.logins["admin:own"], password=PASSWORD)
    assert 'id="reset-second-factor"' in other.get(page).content.decode()
    grid = client.__class__()
    assert grid.login(username=d.logins["grid_worker:own"], password=PASSWORD)
    assert 'id="reset-second-factor"' not in grid.get(page).content.decode()
    refused = grid.post(page, {"action": "reset_second_factor"})
    assert refused.status_code in (200, 404)
    assert TOTPDevice.objects.filter(user=worker).exists()
    other.post(page, {"action": "reset_second_factor"})
    assert not TOTPDevice.objects.filter(user=worker).exists()
