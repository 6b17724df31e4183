"""Roles x actions x whose: every role (at its own and another place, and a superuser) reads and
changes only its own messages, choices and sends; an anonymous visitor is sent to log in."""

import pytest
from django.urls import reverse

from core.testing import build_small_district
from notify import services
from notify.models import Preference

pytestmark = pytest.mark.django_db


def test_each_role_reaches_only_its_own_messages(client):
    d = build_small_district()
    users = {"root": d.root, **d.users}
    notes = {}
    for key, user in users.items():
        [notes[key]] = services.send(kind="core.calendar_missing", recipients=[user],
                                     params={"year": 2030}, url=f"/calendar/?who={key}")  # fmt: skip
    for key, user in users.items():
        client.force_login(user)
        assert client.get(reverse("notify:preferences")).status_code == 200
        assert client.post(reverse("notify:preferences"), {"language": "en"}).status_code == 302
        for other, note in notes.items():
            response = client.get(reverse("notify:open", args=[note.pk]))
            expected = 302 if other == key else 404
            assert response.status_code == expected, (key, other)
        page = client.get("/notifications/").content.decode()
        assert page.count("请录入2030年节假日安排") == 1, key
        client.logout()
    # Each saved only their own choice; nobody else's read state moved.
    assert Preference.objects.count() == len(users)
    for key, note in notes.items():
        note.refresh_from_db()
        assert note.read_at is not None  # opened by its owner
        assert note.user == users[key]


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in (reverse("notify:preferences"), reverse("notify:open", args=[1])):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
