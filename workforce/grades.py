"""A worker's grade by the scheme in force, explained rule by rule (pure arithmetic).

grade = the post's lowest grade
        + (years of service counted + years the degree counts as) // years per grade
        + the grades of the highest social-work certificate held (not stacked),
kept inside the post's range. A year paused (不称职, a sanction) does not count as service for
progression, so progression is yearly and automatic: the grade is computed for a day. A grade
set by decision (Posting.grade_fixed) replaces the computed one, inside the same range.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from workforce.models import Education, Post, SocialWorkLevel


@dataclass
class Step:
    rule: str
    detail: str
    change: str = ""  # "+2", "= 9"…


@dataclass
class GradeAnswer:
    grade: int | None
    low: int | None = None
    high: int | None = None
    steps: list[Step] = field(default_factory=list)
    next_grade_on: datetime.date | None = None  # when the next year's progression lands


def full_years(start: datetime.date, day: datetime.date) -> int:
    if day < start:
        return 0
    years = day.year - start.year
    if (day.month, day.day) < (start.month, start.day):
        years -= 1
    return years


def anniversary(start: datetime.date, years: int) -> datetime.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def post_range(scheme, post: str) -> tuple[int, int] | None:
    pair = (scheme.ranges or {}).get(post)
    return (int(pair[0]), int(pair[1])) if pair else None


def compute(
    scheme, *, post: str, education: str, service_start: datetime.date, certificate: str | None,
    paused: dict[int, str], day: datetime.date, grade_fixed: int | None = None,
    grade_reason: str = "",
) -> GradeAnswer:  # fmt: skip
    labels = dict(Post.choices)
    bounds = post_range(scheme, post)
    if bounds is None:
        return GradeAnswer(None, steps=[Step(
            _("岗位"), _("“%(scheme)s”没有“%(post)s”岗位的等级范围。")
            % {"scheme": scheme.name, "post": labels.get(post, post)},
        )])  # fmt: skip
    low, high = bounds
    steps = [Step(_("岗位起点"), _("%(post)s岗位等级为%(low)d至%(high)d级，从%(low)d级起算。")
                  % {"post": labels.get(post, post), "low": low, "high": high}, f"= {low}")]  # fmt: skip
    years = full_years(service_start, day)
    counted_pauses = sorted(y for y in paused if service_start.year <= y <= day.year)
    counted = max(years - len(counted_pauses), 0)
    detail = _("自%(start)s参加社区工作，满%(years)d年。") % {
        "start": service_start.isoformat(), "years": years}  # fmt: skip
    if counted_pauses:
        detail += _("其中%(years)s年度暂停晋级（%(why)s），计%(n)d年。") % {
            "years": "、".join(str(y) for y in counted_pauses),
            "why": "；".join(paused[y] for y in counted_pauses), "n": counted,
        }  # fmt: skip
    steps.append(Step(_("工作年限"), detail))
    degree = int((scheme.degree_years or {}).get(education, 0))
    steps.append(Step(_("学历折算"), _("%(education)s折算工作年限%(n)d年。")
                      % {"education": dict(Education.choices).get(education, education), "n": degree}))  # fmt: skip
    per = max(int(scheme.years_per_grade), 1)
    by_years = (counted + degree) // per
    steps.append(Step(_("按年限晋级"), _("（%(a)d + %(b)d）年 ÷ 每%(per)d年一级，晋%(n)d级。")
                      % {"a": counted, "b": degree, "per": per, "n": by_years}, f"+{by_years}"))  # fmt: skip
    bonus = int((scheme.certificate_grades or {}).get(certificate, 0)) if certificate else 0
    if certificate:
        detail = _("持%(level)s证书，加%(n)d级（取最高一项，不累加）。") % {
            "level": dict(SocialWorkLevel.choices).get(certificate, certificate), "n": bonus}  # fmt: skip
    else:
        detail = _("未取得社会工作者职业资格证书，不加级。")
    steps.append(Step(_("职业资格"), detail, f"+{bonus}"))
    grade = low + by_years + bonus
    if not low <= grade <= high:
        kept = min(max(grade, low), high)
        steps.append(Step(_("岗位范围"), _("计算得%(g)d级，超出本岗位%(low)d至%(high)d级，按%(k)d级。")
                          % {"g": grade, "low": low, "high": high, "k": kept}, f"= {kept}"))  # fmt: skip
        grade = kept
    answer = GradeAnswer(grade, low, high, steps)
    if grade_fixed is not None:
        steps.append(Step(_("核定等级"), _("按决定核定为%(g)d级（%(why)s），不按上述计算。")
                          % {"g": grade_fixed, "why": grade_reason or _("未注明理由")}, f"= {grade_fixed}"))  # fmt: skip
        answer.grade = grade_fixed
    elif grade < high:
        # The next grade comes when counted + degree years reach the next multiple.
        need = (by_years + 1) * per - degree + len(counted_pauses)
        answer.next_grade_on = anniversary(service_start, max(need, years + 1))
    return answer
