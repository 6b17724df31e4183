"""Default thresholds per matter (Civil Code art. 278, in force 2021-01-01), loaded per district by
``rules_seed`` and editable there: participation by at least 2/3 of the area and of the owners;
matters (6)–(8) approved by at least 3/4 of the area and of the owners who took part, the others
by more than half of each."""

import datetime

SOURCE = "《中华人民共和国民法典》第二百七十八条"
IN_FORCE = datetime.date(2021, 1, 1)
THREE_QUARTERS = {"fund_use", "fund_raise", "rebuild", "common_use"}


def rows() -> list[dict]:
    from owners.models import Matter

    out = []
    for matter in Matter.values:
        strict = matter in THREE_QUARTERS
        out.append({
            "matter": matter,
            "turnout_num": 2, "turnout_den": 3, "turnout_inclusive": True,
            "approval_num": 3 if strict else 1, "approval_den": 4 if strict else 2,
            "approval_inclusive": strict,
            "source": SOURCE + ("第二款：双四分之三以上" if strict else "第二款：双过半数"),
            "effective_from": IN_FORCE,
        })  # fmt: skip
    return out


# Working days a property company has to sign and to finish a request routed to it, when the
# district has set no rule (owners.PropertyRule); the district sets its own on the rules page.
PROPERTY_ACCEPT_DAYS = 1
PROPERTY_FINISH_DAYS = 5
PROPERTY_SOURCE = (
    "《物业管理条例》第三十五条、《江苏省物业管理条例》：物业服务企业按合同及时处理业主报修和投诉；"
    "本区默认1个工作日内签收、5个工作日内办结（可在规则页调整）"
)
