"""An offer's daily window given with an offset (found by probing from outside: a timezone-aware
start_time was compared with a naive end_time, a TypeError and a 500). A time or date-time with
an offset is moved into Beijing time, one without is Beijing time already, through the API and
the service alike; what cannot be a window is refused with 422 in Chinese and writes nothing."""

import datetime

import pytest

from core.models import AuditEvent
from timebank import services
from timebank.models import Listing
from timebank.tests.test_api import API, bearer
from timebank.tests.test_exchange import people  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
OFFER = {"title": "陪老人聊天、读报", "category": "company", "minutes": 90, "weekdays": "135"}


def written():
    return Listing.objects.count(), AuditEvent.objects.count()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("09:00", "11:30"),
        ("09:00:00", "11:30:00"),
        ("09:00+08:00", "11:30+08:00"),
        ("01:00Z", "03:30Z"),
        ("01:00:00+00:00", "03:30:00+00:00"),
        ("10:00+09:00", "12:30+09:00"),
        ("09:00", "03:30Z"),  # naive (Beijing) and aware together
        ("2026-12-10T09:00:00+08:00", "2026-12-10T11:30:00+08:00"),
        ("2026-12-10T01:00:00Z", "2026-12-10T03:30:00Z"),
        ("2026-12-10T09:00:00", "2026-12-10T11:30"),  # no offset: Beijing time
    ],
)
def test_a_window_with_or_without_an_offset_is_beijing_time(bank, people, start, end):  # noqa: F811
    volunteer = bearer(people["volunteer"])
    response = volunteer.post(
        f"{API}/offers", {**OFFER, "start_time": start, "end_time": end}, **JSON
    )
    assert response.status_code == 201, response.json()
    offer = response.json()
    assert (offer["start_time"], offer["end_time"]) == ("09:00:00", "11:30:00")
    assert offer["window"] == "周一、三、五 09:00–11:30"
    stored = Listing.objects.get(pk=offer["id"])
    assert (stored.start_time, stored.end_time) == (datetime.time(9), datetime.time(11, 30))


@pytest.mark.parametrize(
    ("start", "end", "code", "text"),
    [
        # 10:00Z is 18:00 in Beijing, after 11:30.
        ("10:00Z", "11:30", "window", "结束时间应晚于开始时间"),
        ("09:00+08:00", None, "window", "同时填写"),
        ("2026-02-30T09:00:00+08:00", "11:30", "invalid_request", "start_time：应为时间"),
        ("09:00+25:00", "11:30", "invalid_request", "start_time：应为时间"),
        ("0001-01-01T00:30:00+14:00", "11:30", "invalid_request", "start_time：应为时间"),
        ("9点", "11:30", "invalid_request", "start_time：应为时间"),
    ],
)
def test_what_cannot_be_a_window_is_refused(bank, people, start, end, code, text):  # noqa: F811
    volunteer = bearer(people["volunteer"])  # minting a token is audited
    before = written()
    response = volunteer.post(
        f"{API}/offers", {**OFFER, "start_time": start, "end_time": end}, **JSON
    )
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == code and text in response.json()["detail"], response.json()
    assert written() == before


def test_the_service_takes_aware_and_naive_times_alike(bank, people):  # noqa: F811
    utc = datetime.UTC
    offer = services.listing_create(
        actor=people["volunteer"], kind="offer", category="company", title="陪聊", minutes=60,
        start_time=datetime.time(1, 0, tzinfo=utc), end_time=datetime.time(11, 30),
    )  # fmt: skip
    assert (offer.start_time, offer.end_time) == (datetime.time(9), datetime.time(11, 30))
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    later = services.listing_create(
        actor=people["volunteer"], kind="offer", category="company", title="读报", minutes=60,
        start_time=datetime.datetime(2026, 12, 10, 14, 0, tzinfo=beijing),
        end_time=datetime.datetime(2026, 12, 10, 8, 0, tzinfo=utc),
    )  # fmt: skip
    assert (later.start_time, later.end_time) == (datetime.time(14), datetime.time(16))
