from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    """One-network service handling: catalogue, resident requests and their lifecycle, Open311."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "services"
    verbose_name = _("一网通办")

    def ready(self):
        from core import navigation
        from core.action_labels import register
        from services import deadlines, demo, rules, workbench_cards  # noqa: F401 - registers them

        # One entry for everyone: the page offers each role its own queues (dispatch,
        # department, grid, intake, overdue, metrics) from there.
        navigation.register(_("诉求"), "services:home", order=40)
        _register_kinds()

        register(
            {
                "services.item_create": _("新建服务事项"),
                "services.item_update": _("修改服务事项"),
                "services.request_submit": _("提交诉求"),
                "services.request_accept": _("受理诉求"),
                "services.request_reject": _("不予受理"),
                "services.request_dispatch": _("派单"),
                "services.request_redispatch": _("改派"),
                "services.request_sign": _("签收诉求"),
                "services.request_note": _("填写办理进展"),
                "services.request_answer": _("答复诉求"),
                "services.return_ask": _("申请退单"),
                "services.extend_ask": _("申请延期"),
                "services.return_decide": _("审核退单"),
                "services.extend_decide": _("审核延期"),
                "services.request_close": _("办结诉求"),
                "services.request_visit": _("回访"),
                "services.request_rate": _("评价诉求"),
                "services.rating_review": _("核实不满意评价"),
                "services.request_merge": _("并单"),
                "services.request_urge": _("催办"),
                "services.request_warn": _("超期预警"),
                "services.open311_key_create": _("生成Open311密钥"),
                "services.open311_key_revoke": _("撤销Open311密钥"),
            }
        )


def _register_kinds():
    """Message kinds services sends beyond notify's catalogue: the daily overdue count of a grid,
    community or street that handles requests itself (services.supervision)."""
    from django.utils.translation import gettext_noop

    from notify.kinds import Kind, register

    register(
        Kind(
            "services.overdue_local",
            gettext_noop("属地超期诉求清单"),
            gettext_noop("%(day)s %(place)s超期诉求%(n)s件"),
        )
    )
