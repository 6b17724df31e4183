"""Human names for audit actions. Each app adds its own with `register`."""

from django.utils.translation import gettext_lazy as _

LABELS = {
    "place.create": _("新建地点"),
    "place.update": _("修改地点"),
    "place.move": _("调整隶属"),
    "place.merge": _("合并地点"),
    "place.boundaries_import": _("导入地点边界"),
    "department.create": _("新建部门"),
    "department.update": _("修改部门"),
    "person.register": _("登记人员"),
    "person.duplicate_id_number": _("查询到身份证号已登记"),
    "person.reveal_id_number": _("查看完整身份证号"),
    "person.reveal_mobile": _("查看完整手机号"),
    "role.assign": _("分配角色"),
    "role.end": _("撤销角色"),
    "account.password_change": _("修改密码"),
    "account.login_failed": _("登录失败"),
    "account.second_factor_enrolled": _("绑定身份验证器"),
    "account.second_factor_failed": _("身份验证器验证码错误"),
    "account.second_factor_removed": _("重置身份验证器"),
    "calendar.set_day": _("录入日历"),
    "calendar.year_entered": _("确认年度节假日安排"),
    "api_token.create": _("生成API令牌"),
    "api_token.revoke": _("撤销API令牌"),
    "audit.export": _("导出操作记录"),
    "audit.chain_broken": _("操作记录完整性校验未通过"),
    "personal_data.rotate": _("更换个人信息密钥"),
    "demo.residents_import": _("导入演示居民"),
}


def register(labels: dict) -> None:
    LABELS.update(labels)


def label_for(action: str) -> str:
    return str(LABELS.get(action, action))
