"""Default staffing rules, loaded per district by ``staffing_rules_seed`` (then edited there)."""

import datetime

RULES = [
    {
        "name": "城乡社区工作者每万城镇常住人口18人",
        "kind": "per_residents",
        "per_10k_residents": 18,
        "source": "国务院办公厅《“十四五”城乡社区服务体系建设规划》（国办发〔2021〕56号）",
        "effective_from": datetime.date(2021, 12, 27),
    },
]

# A local choice offered in the rule editor's help: Taiyuan 2020 (no national rule exists).
TAIYUAN_BANDS = {
    "bands": [[2000, 3], [3000, 4], [4000, 5], [5000, 6]],
    "step_households": 500,
    "cap": 17,
    "source": "太原市2020年社区工作者配备标准（地方示例）",
}

# The grade scale's common form (三岗十八级), loaded per district by ``grade_schemes_seed`` and
# edited there: the district's own document replaces it from its date (POLICY-FACTS, Workforce;
# the formula is the common one, not a national rule).
GRADE_SCHEME = {
    "name": "三岗十八级",
    "ranges": {"chief": [7, 18], "deputy": [4, 15], "other": [1, 12]},
    "years_per_grade": 3,
    "degree_years": {"bachelor": 3, "master": 5, "doctorate": 7},
    "certificate_grades": {"assistant": 1, "social_worker": 2, "senior": 3},
    "source": "社区工作者“三岗十八级”岗位等级序列（常见形式，请按本区文件修改）",
    "effective_from": datetime.date(2021, 1, 1),
}

# A pay scale to start from (an example, not a policy: the district enters its own), the floor
# rule of Nanjing 2018 for a central district, and common welfare items.
PAY_SCALE = {
    "name": "岗位等级工资标准（示例）",
    "amounts": {str(g): 600_000 + 30_000 * (g - 1) for g in range(1, 19)},  # 6,000–11,100 元/月
    "floor_shares": {"chief": 1000, "deputy": 800, "member": 800, "other": 800},
    "welfare": [
        {"name": "养老保险（单位缴纳）", "kind": "percent", "value": 1600},
        {"name": "住房公积金（单位缴纳）", "kind": "percent", "value": 1200},
        {"name": "交通补贴", "kind": "fixed", "value": 30_000},
    ],
    "source": "工资标准为示例，请按本区文件修改；保底线依《南京市社区工作者管理办法（试行）》（2018）："
    "书记、主任不低于上年度城市非私营单位在岗职工平均工资，其他社区工作者不低于其80%（中心城区）",
    "effective_from": datetime.date(2021, 1, 1),
}

# The annual assessment (POLICY-FACTS, Supervision: four grades, a quota for 优秀, residents'
# 民主评议 part of it): 20% 优秀 (25% when the community's own assessment scored 90 or more), 优秀
# only with a 民主评议 of 80 or more; 基本称职 and 不称职 pause the year's grade progression;
# performance pay per result (an example: the district enters its own).
ASSESSMENT_RULE = {
    "name": "社区工作者年度考核（示例）",
    "excellent_permille": 200,
    "excellent_permille_good": 250,
    "good_score_tenths": 900,
    "min_review_for_excellent": 80,
    "pausing": ["basic", "incompetent"],
    "performance_pay": {
        "excellent": 1_200_000,
        "competent": 800_000,
        "basic": 300_000,
        "incompetent": 0,
    },
    "source": "年度考核分优秀、称职、基本称职、不称职四个等次，优秀设比例（常见做法；请按本区文件修改）",
    "effective_from": datetime.date(2021, 1, 1),
}

# Surge work's hourly subsidy (an example: the district enters its own).
SURGE_RATE = {
    "name": "突击性任务补贴（示例）",
    "hourly_fen": 3_000,
    "source": "突击性任务按实际工作时长给予补贴，标准为示例，请按本区文件修改",
    "effective_from": datetime.date(2021, 1, 1),
}

# Eligibility for the next post (an example: the district enters its own).
CAREER_RULE = {
    "name": "岗位晋升条件（示例）",
    "min_years_in_post": 3,
    "assessments_needed": 2,
    "training_required": True,
    "source": "晋升上一岗位须任现岗位满3年、近2年度考核称职以上并完成年度培训学时（示例，请按本区文件修改）",
    "effective_from": datetime.date(2021, 1, 1),
}
