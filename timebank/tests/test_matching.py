"""Offers and matching: residents post offers; needs are matched by place (community, street,
district), category and skills, and time; a volunteer takes a matching need."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.testing import PASSWORD
from timebank import selectors, services
from timebank.models import Listing, ListingKind, Order
from timebank.testing import resident, years_ago

pytestmark = pytest.mark.django_db


def next_weekday(iso: int, hour: int) -> datetime.datetime:
    now = timezone.localtime()
    day = now.date() + datetime.timedelta(days=(iso - now.isoweekday()) % 7 or 7)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture(scope="module")
def folks(bank, django_db_blocker):
    """Volunteers with logins: two in the elder's community, one in the same street, one in
    the other street; and a resident without an account."""
    from django.db import transaction

    from timebank.tests.conftest import fast_hasher

    with fast_hasher(), django_db_blocker.unblock(), transaction.atomic():
        d = bank.d
        made = {}
        for name, grid, mobile in (
            ("near", d.grids[1], "13900000101"), ("near2", d.grids[0], "13900000102"),
            ("street", d.grids[2], "13900000103"), ("far", d.grids[4], "13900000104"),
        ):  # fmt: skip
            person = resident(
                actor=d.root, place=grid, name=f"志愿{name}", birth=years_ago(35),
                mobile=mobile, password=PASSWORD,
            )  # fmt: skip
            services.member_account_open(actor=d.root, person=person)
            made[name] = person.account
        bare = resident(
            actor=d.root, place=d.grids[0], name="无账户", birth=years_ago(30),
            mobile="13900000105", password=PASSWORD,
        )  # fmt: skip
        made["bare"] = bare.account
        yield made
        transaction.set_rollback(True)


def offer(user, **kw):
    data = {"category": "company", "title": "陪老人聊天", "minutes": 60, **kw}
    return services.listing_create(actor=user, kind=ListingKind.OFFER, **data)


def need(bank, **kw):
    data = {"category": "company", "title": "陪王奶奶聊天", "minutes": 60,
            "wanted_at": next_weekday(1, 10), "recipient": bank.elder.person, **kw}  # fmt: skip
    return services.listing_create(actor=bank.worker, kind=ListingKind.NEED, **data)


def test_offer_is_placed_in_the_volunteers_community(bank, folks):
    o = offer(folks["street"], skills="理发，修水管", weekdays="531",
              start_time=datetime.time(9), end_time=datetime.time(11, 30))  # fmt: skip
    assert o.kind == ListingKind.OFFER and o.place == bank.d.communities[1]
    assert o.weekdays == "135" and o.recipient is None and o.payer == "none"
    assert o.window_text == "周一、三、五 09:00–11:30"
    assert AuditEvent.objects.filter(action="timebank.listing_create", object_id=str(o.pk)).exists()


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"weekdays": "18"}, "weekdays"),
        ({"start_time": datetime.time(9)}, "window"),
        ({"start_time": datetime.time(11), "end_time": datetime.time(9)}, "window"),
        ({"start_time": datetime.time(9), "end_time": datetime.time(9)}, "window"),
        ({"skills": "技" * 101}, "too_long"),
        ({"category": "nope"}, "category"),
    ],
)
def test_bad_offers_write_nothing(folks, kw, code):
    before = (Listing.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as err:
        offer(folks["near"], **kw)
    assert err.value.code == code
    assert (Listing.objects.count(), AuditEvent.objects.count()) == before


def test_only_a_member_offers_for_themself(bank, folks):
    with pytest.raises(ValidationError) as err:
        offer(folks["bare"])
    assert err.value.code == "no_account"
    with pytest.raises(ValidationError) as err:  # a worker cannot post an offer for a resident
        offer(bank.worker, recipient=bank.elder.person)
    assert err.value.code == "offer_not_own"


def test_suggestions_rank_place_then_category_skills_and_time(bank, folks):
    monday = offer(folks["near"], weekdays="1", start_time=datetime.time(9),
                   end_time=datetime.time(12))  # fmt: skip
    tuesday = offer(folks["near2"], weekdays="2")
    street = offer(folks["street"])
    far = offer(folks["far"], category="repair", title="修水龙头", skills="聊天，下棋")
    unrelated = offer(folks["far"], category="repair", title="修家电", skills="电工")
    n = need(bank)
    found = selectors.suggestions_for_need(bank.worker, n)
    order = [m.listing for m in found if m.listing]
    assert order[:2] == [monday, street]  # same community + time; then same street
    assert unrelated not in order
    by_offer = {m.listing.pk: m for m in found if m.listing}
    assert "时间合适" in by_offer[monday.pk].reasons
    assert by_offer[tuesday.pk].time_fits is False
    assert any("时间不合" in r for r in by_offer[tuesday.pk].reasons)
    assert any("技能：聊天" in r for r in by_offer[far.pk].reasons)
    assert "区内通存通兑" in by_offer[far.pk].reasons
    assert "同社区" in by_offer[monday.pk].reasons and "同街道" in by_offer[street.pk].reasons
    # Without district-wide exchange, only the need's own community is suggested.
    services.rule_update(
        actor=bank.d.root, district=bank.d.district, code="district_wide_exchange", value=0,
        source="试点前",
    )  # fmt: skip
    only_here = {m.listing for m in selectors.suggestions_for_need(bank.worker, n) if m.listing}
    assert only_here == {monday, tuesday}


def test_who_sees_suggestions(bank, folks):
    offer(folks["near"])
    n = need(bank)
    assert selectors.suggestions_for_need(bank.worker, n)  # the poster (a worker)
    assert selectors.suggestions_for_need(bank.d.users["admin:own"], n)
    for outsider in (folks["street"], bank.d.users["community_worker:other"],
                     bank.d.users["grid_worker:own"]):  # fmt: skip
        assert selectors.suggestions_for_need(outsider, n) == []
        assert not selectors.can_see_suggestions(outsider, n)


def test_volunteer_takes_a_matching_need_from_the_offers_page(client, bank, folks):
    mine = offer(folks["street"], weekdays="1")
    n = need(bank)
    other = need(bank, category="repair", title="修灯泡", wanted_at=next_weekday(2, 10))
    ranked = selectors.needs_for_volunteer(folks["street"])
    assert [m.listing for m in ranked][:2] == [n, other]
    assert "时间合适" in ranked[0].reasons and "同街道" in ranked[0].reasons
    client.force_login(folks["street"])
    page = client.get(reverse("timebank:offers"))
    assert page.status_code == 200
    assert mine.title in page.content.decode() and n.title in page.content.decode()
    response = client.post(reverse("timebank:take", args=[n.pk]), {"next": "timebank:offers"})
    assert response.status_code == 302 and response.url == reverse("timebank:offers")
    assert Order.objects.get(listing=n).volunteer.person.account == folks["street"]
    assert Listing.objects.get(pk=n.pk).status == Listing.Status.TAKEN


def test_offer_form_posts_through_the_service(client, folks):
    client.force_login(folks["near"])
    bad = client.post(reverse("timebank:offers"), {
        "title": "教用手机", "category": "tech", "minutes": 60, "weekdays": ["6", "7"],
        "start_time": "15:00", "end_time": "14:00",
    })  # fmt: skip
    assert bad.status_code == 200 and "结束时间应晚于开始时间" in bad.content.decode()
    good = client.post(reverse("timebank:offers"), {
        "title": "教用手机", "category": "tech", "minutes": 60, "weekdays": ["6", "7"],
        "start_time": "14:00", "end_time": "17:00", "skills": "微信，健康码",
    })  # fmt: skip
    assert good.status_code == 302
    made = Listing.objects.get(poster=folks["near"], title="教用手机")
    assert made.weekdays == "67" and made.skills == "微信，健康码"


def test_need_page_for_poster_and_workers_only(client, bank, folks):
    n = need(bank)
    offer(folks["near"])
    client.force_login(bank.worker)
    page = client.get(reverse("timebank:need", args=[n.pk]))
    assert page.status_code == 200 and "志愿near" in page.content.decode()
    client.force_login(folks["street"])
    assert client.get(reverse("timebank:need", args=[n.pk])).status_code == 404


def test_close_a_listing(bank, folks):
    o = offer(folks["near"])
    with pytest.raises(PermissionDenied):
        services.listing_close(actor=folks["street"], listing=o)
    services.listing_close(actor=folks["near"], listing=o)
    assert Listing.objects.get(pk=o.pk).status == Listing.Status.CANCELLED
    with pytest.raises(ValidationError) as err:
        services.listing_close(actor=folks["near"], listing=o)
    assert err.value.code == "not_open"
    n = need(bank)
    services.listing_close(actor=bank.d.users["admin:own"], listing=n)  # a worker above
    assert AuditEvent.objects.filter(action="timebank.listing_close").count() == 2


def test_experienced_volunteer_without_an_offer_is_suggested(bank, folks):
    first = need(bank)
    volunteer = folks["near2"]
    order = services.order_take(actor=volunteer, listing=first)
    with time_machine.travel(first.wanted_at, tick=False):  # signed in at the agreed time
        services.order_sign_in(actor=volunteer, order=order)
        services.order_sign_out(actor=volunteer, order=order)
    services.order_confirm(actor=bank.worker, order=order, minutes=1)
    services.order_approve(actor=bank.d.users["admin:own"], order=order)
    second = need(bank)
    found = selectors.suggestions_for_need(bank.worker, second)
    experienced = [m for m in found if m.account is not None]
    assert [m.account.person.account for m in experienced] == [volunteer]
    assert "曾完成1次同类服务" in experienced[0].reasons


ENGLISH_WINDOW = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgctxt "between weekdays"
msgid "、"
msgstr ", "

msgid "周%(days)s"
msgstr "%(days)s"

msgid "%(days)s %(start)s–%(end)s"
msgstr "%(days)s %(start)s–%(end)s"

msgid "每天"
msgstr "Every day"
""" + "".join(
    f'\nmsgctxt "weekday after 周"\nmsgid "{zh}"\nmsgstr "{en}"\n'
    for zh, en in zip(
        "一二三四五六日", ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), strict=True
    )
)


@pytest.mark.parametrize(
    ("weekdays", "start", "end", "zh", "en"),
    [
        ("135", datetime.time(9), datetime.time(11, 30), "周一、三、五 09:00–11:30",
         "Mon, Wed, Fri 09:00–11:30"),
        ("67", None, None, "周六、日", "Sat, Sun"),
        ("1234567", datetime.time(8), datetime.time(17), "每天 08:00–17:00",
         "Every day 08:00–17:00"),
        ("", datetime.time(8), datetime.time(17), "08:00–17:00", "08:00–17:00"),
        ("", None, None, "", ""),
    ],
)  # fmt: skip
def test_window_text_is_translatable_as_a_whole(tmp_path, settings, weekdays, start, end, zh, en):
    """Weekday names, their separator and the phrase's order all come from the catalogue."""
    import shutil
    import subprocess

    from django.utils import translation

    messages = tmp_path / "en" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    (messages / "django.po").write_text(ENGLISH_WINDOW, encoding="utf-8")
    msgfmt = shutil.which("msgfmt")  # gettext's compiler, as compilemessages uses
    subprocess.run([msgfmt, "-o", messages / "django.mo", messages / "django.po"], check=True)  # noqa: S603
    settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    offer = Listing(kind=ListingKind.OFFER, weekdays=weekdays, start_time=start, end_time=end)
    with translation.override("zh-hans"):
        assert offer.window_text == zh
    with translation.override("en"):
        assert offer.window_text == en
