"""Grade schemes (issue #16 item 3) and the writes that move a worker's grade: a new post
(the history of posts, with an optional grade set by decision) and a paused year."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place, PlaceLevel
from core.validation import clean_text
from core.validation import require_perm as _require
from workforce import defaults
from workforce.grades import post_range
from workforce.models import Education, GradeScheme, Post, Posting, SocialWorkLevel, Worker
from workforce.services.checks import (
    a_choice,
    a_date,
    may_change_leadership,
    may_grant_leadership,
    may_manage,
    not_own,
)

MAX_GRADE = 40


def _district(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("岗位等级规则按区设定，请选择区。"), code="not_a_district")
    return place


def _number(value, label: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        raise ValidationError(
            _("%(label)s应为%(low)d到%(high)d之间的整数。"),
            params={"label": label, "low": low, "high": high}, code="out_of_range",
        )  # fmt: skip
    return number


def _ranges(ranges) -> dict:
    if not isinstance(ranges, dict) or not ranges:
        raise ValidationError(_("请至少为一个岗位填写等级范围。"), code="ranges")
    clean = {}
    for post, pair in ranges.items():
        label = dict(Post.choices).get(post)
        if label is None or not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValidationError(_("岗位等级范围须写成“岗位: 最低级-最高级”。"), code="ranges")
        low = _number(pair[0], _("%(post)s最低等级") % {"post": label}, 1, MAX_GRADE)
        high = _number(pair[1], _("%(post)s最高等级") % {"post": label}, 1, MAX_GRADE)
        if high < low:
            raise ValidationError(
                _("%(post)s的最高等级不能低于最低等级。"), params={"post": label}, code="ranges"
            )
        clean[post] = [low, high]
    return clean


def _table(values, choices, label: str, high: int) -> dict:
    clean = {}
    for key, value in (values or {}).items():
        if key not in choices.values:
            raise ValidationError(_("%(label)s中有未知的项目。"), params={"label": label},
                                  code="choice")  # fmt: skip
        clean[key] = _number(value, f"{label}（{dict(choices.choices)[key]}）", 0, high)
    return clean


@one_write
def grade_scheme_create(
    *, actor, district: Place, name: str, ranges: dict, years_per_grade, source: str,
    effective_from: datetime.date, degree_years=None, certificate_grades=None,
) -> GradeScheme:  # fmt: skip
    """A grade scheme for a district from a date (earlier ones stay, for history)."""
    district = _district(district)
    _require(actor, "workforce.set_grade_rules", district, _("只有区管理员或区减负办可以设定岗位等级规则。"))  # fmt: skip
    scheme = GradeScheme(
        district=district, name=clean_text(name, _("名称"), limit=100),
        source=clean_text(source, _("政策依据"), limit=300), ranges=_ranges(ranges),
        years_per_grade=_number(years_per_grade, _("每晋升一级所需年限"), 1, 10),
        degree_years=_table(degree_years, Education, _("学历折算年限"), 10),
        certificate_grades=_table(certificate_grades, SocialWorkLevel, _("职业资格加级"), 5),
        effective_from=a_date(effective_from, _("生效日期")), created_by=actor,
    )  # fmt: skip
    if GradeScheme.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(
            _("%(date)s已有一条岗位等级规则生效；请换一个生效日期。"),
            params={"date": effective_from.isoformat()}, code="same_start",
        )  # fmt: skip
    scheme.save()
    audit.record(actor=actor, action="workforce.grade_scheme_create", obj=scheme, place=district,
                 changes={"name": scheme.name, "ranges": scheme.ranges, "source": scheme.source,
                          "effective_from": effective_from.isoformat()})  # fmt: skip
    return scheme


@one_write
def grade_schemes_seed(*, actor, district: Place) -> int:
    """Load the common 三岗十八级 for a district that has no scheme yet."""
    district = _district(district)
    _require(actor, "workforce.set_grade_rules", district)
    if GradeScheme.objects.filter(district=district).exists():
        return 0
    GradeScheme.objects.create(district=district, created_by=actor, **defaults.GRADE_SCHEME)
    audit.record(actor=actor, action="workforce.grade_schemes_seed", obj=district,
                 changes={"schemes": 1})  # fmt: skip
    return 1


def scheme_in_force(district_id: int, day: datetime.date) -> GradeScheme | None:
    return GradeScheme.objects.in_force(day, district_id=district_id)


@one_write
def posting_start(
    *, actor, worker: Worker, post: str, title: str, starts_on: datetime.date,
    grade_fixed=None, grade_reason: str = "",
) -> Posting:  # fmt: skip
    """A new post for the worker from ``starts_on``; the current one ends that day. A grade set
    by decision must lie in the post's range in the scheme in force, and only the district
    sets one. 正职 and 副职 are given, changed and ended only by the street or the district
    (a head records ordinary posts for colleagues who hold no leadership post)."""
    worker = Worker.objects.select_for_update().select_related("community").get(pk=worker.pk)
    may_manage(actor, worker)
    post = a_choice(post, Post, _("岗位"))
    may_grant_leadership(actor, worker.community, post)
    may_change_leadership(actor, worker)
    title = clean_text(title, _("职务名称"), limit=40)
    starts_on = a_date(starts_on, _("任职日期"))
    current = worker.postings.filter(ends_on__isnull=True).first()
    if current and starts_on <= current.starts_on:
        raise ValidationError(_("新岗位的任职日期须晚于现任岗位（%(start)s起）。"),
                              params={"start": current.starts_on.isoformat()}, code="date_order")  # fmt: skip
    if grade_fixed not in (None, ""):
        _require(actor, "workforce.set_grade_rules", worker.community.district,
                 _("核定岗位等级须由区管理员或区减负办办理。"))  # fmt: skip
        grade_fixed = _grade_in_range(worker, post, starts_on, grade_fixed)
        grade_reason = clean_text(grade_reason, _("核定理由"))
    else:
        grade_fixed, grade_reason = None, ""
    if current:
        current.ends_on = starts_on
        current.save(update_fields=["ends_on"])
    posting = Posting.objects.create(
        district_id=worker.district_id, community=worker.community, worker=worker, post=post,
        title=title, starts_on=starts_on, grade_fixed=grade_fixed, grade_reason=grade_reason,
        created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="workforce.posting_start", obj=posting,
                 changes={"worker": worker.pk, "post": post, "title": title,
                          "starts_on": starts_on.isoformat(), "grade_fixed": grade_fixed})  # fmt: skip
    return posting


def _grade_in_range(worker, post, day, grade) -> int:
    scheme = scheme_in_force(worker.district_id, day)
    bounds = post_range(scheme, post) if scheme else None
    if bounds is None:
        raise ValidationError(_("本区岗位等级规则中没有该岗位，无法核定等级。"),
                              code="post_not_in_scheme")  # fmt: skip
    try:
        grade = int(grade)
    except (TypeError, ValueError):
        grade = 0
    if not bounds[0] <= grade <= bounds[1]:
        raise ValidationError(
            _("%(post)s岗位的等级应在%(low)d至%(high)d级之间。"),
            params={"post": dict(Post.choices)[post], "low": bounds[0], "high": bounds[1]},
            code="grade_out_of_range",
        )  # fmt: skip
    return grade


@one_write
def progression_pause_record(*, actor, worker: Worker, year, reason: str):
    """A year that does not count towards the worker's grade progression."""
    from workforce.models import ProgressionPause

    worker = Worker.objects.select_for_update().select_related("community").get(pk=worker.pk)
    not_own(actor, worker)
    _require(actor, "workforce.record_pause", worker.community,
             _("只有区管理员或区减负办可以登记暂停晋级。"))  # fmt: skip
    year = _number(year, _("年度"), worker.service_start.year, clock.today().year)
    reason = clean_text(reason, _("原因"), limit=200)
    if ProgressionPause.objects.filter(worker=worker, year=year).exists():
        raise ValidationError(_("%(year)d年度已登记暂停晋级。"), params={"year": year},
                              code="already_paused")  # fmt: skip
    pause = ProgressionPause.objects.create(
        district_id=worker.district_id, community=worker.community, worker=worker, year=year,
        reason=reason, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="workforce.progression_pause", obj=pause,
                 changes={"worker": worker.pk, "year": year, "reason": reason})  # fmt: skip
    return pause
