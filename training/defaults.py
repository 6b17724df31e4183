"""Default training rules for a district, loaded by ``defaults_seed`` and edited there. They are
examples to start from: the district's own document replaces them from its date."""

import datetime

RULE = {
    "name": "社区工作者年度培训学时要求（示例）",
    "annual_hours": 72,
    "induction_months": 12,
    "induction_hours": 24,
    "source": "示例：参照民政部《社会工作者继续教育办法》每年累计不少于72小时；"
    "新入职一年内另须完成岗前培训。请按本区文件修改",
    "effective_from": datetime.date(2021, 1, 1),
}

# The content areas of the seed (§4: 办公软件、心理疏导、法律、沟通).
AREAS = [
    ("办公软件应用", "区减负方案（种子文件§4）培训内容"),
    ("心理疏导", "区减负方案（种子文件§4）培训内容"),
    ("法律法规", "区减负方案（种子文件§4）培训内容"),
    ("沟通协调", "区减负方案（种子文件§4）培训内容"),
]
AREAS_FROM = datetime.date(2021, 1, 1)
