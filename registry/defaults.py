"""The default field registry: each field, its owning department (by short code) and aliases.

Owner "" means the community collects the field itself. `core` fields live on core.Person.
Column headers seen in department files map to these by label or alias.
"""

# key, label, aliases (space separated), kind, owner short code, sensitive, is_tag
FIELDS: list[tuple[str, str, str, str, str, bool, bool]] = [
    ("name", "姓名", "老人姓名 居民姓名", "text", "ga", False, False),
    ("gender", "性别", "", "text", "ga", False, False),
    ("birth_date", "出生日期", "出生年月 出生年月日", "date", "ga", False, False),
    (
        "id_number", "公民身份号码", "身份证号 身份证号码 证件号码 身份证",
        "text", "ga", True, False,
    ),
    ("ethnicity", "民族", "", "text", "ga", False, False),
    ("household_no", "户号", "户编号", "text", "ga", False, False),
    ("relation", "与户主关系", "与户主关系 关系", "text", "ga", False, False),
    ("registered_address", "户籍地址", "户籍所在地 户口所在地", "text", "ga", False, False),
    ("actual_address", "现住地址", "居住地址 现居住地址 实际居住地址", "text", "ga", False, False),
    ("person_category", "人员类别", "人口类别", "text", "ga", False, False),
    ("phone", "联系电话", "手机号 手机号码 电话 联系方式", "phone", "", True, False),
    ("grid", "所属网格", "网格", "text", "", False, False),
    ("elderly_allowance", "高龄津贴标准", "津贴标准（元/月） 津贴标准 津贴金额", "money", "mz", False, False),
    ("living_alone", "独居", "独居老人", "flag", "", False, True),
    ("dibao", "低保", "低保户 最低生活保障", "flag", "mz", False, True),
    ("disabled", "残疾", "残疾人 持证残疾", "flag", "mz", False, True),
    ("veteran", "退役军人", "退役军人 优抚对象", "flag", "tyjr", False, True),
]  # fmt: skip

# Fields whose value lives on core.Person (the person exists once, in core).
CORE_FIELDS = {"name", "gender", "birth_date", "id_number"}
# Fields mirrored on the registry's Residence row.
RESIDENCE_FIELDS = {"relation", "registered_address", "actual_address"}

# Structural columns of an import that are not facts: where the row belongs, or ignored.
STRUCTURAL = {
    "street": ("所属街道", "街道"),
    "community": ("所属社区", "社区", "社区名称"),
    "remark": ("备注",),
    "ignore": ("序号", "编号"),
}

# Words in a remark column that set a status tag.
REMARK_TAGS = {"独居": "living_alone", "低保": "dibao", "残疾": "disabled", "退役": "veteran"}

# Derived tags (from the birth date, never stored): name, label.
DERIVED_TAGS = {"elderly": "老年人（60岁以上）", "minor": "未成年人"}
