from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionConfig(AppConfig):
    """Admission gate (准入): duty, negative, certificate and power lists; admission requests and review."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "admission"
    verbose_name = _("准入")

    def ready(self):
        from admission import (  # noqa: F401 - deadlines registers the review deadline
            deadlines,
            demo,
            rules,  # noqa: F401 - registers the permissions
            workbench,
        )
        from core import action_labels, navigation
        from core import workbench as core_workbench
        from core.demo import extensions

        action_labels.register(
            {
                "admission.lists_seed": _("载入默认清单"),
                "admission.list_draft": _("新建清单草稿"),
                "admission.list_entry_add": _("清单新增事项"),
                "admission.list_entry_change": _("清单修改事项"),
                "admission.list_entry_remove": _("清单删除事项"),
                "admission.list_publish": _("发布清单"),
                "admission.policy_set": _("修改准入设置"),
                "admission.request_submit": _("提交准入申请"),
                "admission.request_amend": _("补正准入申请"),
                "admission.request_prepare": _("准入申请初审（提交联席会议）"),
                "admission.meeting_record": _("记录联席会议"),
                "admission.request_decide": _("联席会议决定准入申请"),
                "admission.request_appeal": _("准入申诉"),
                "admission.request_withdraw": _("撤回准入申请"),
                "admission.item_withdraw": _("准入事项退出"),
                "admission.certificate_answer": _("答复证明请求"),
                "admission.cap_set": _("设置督查检查、会议、发文年度上限"),
                "admission.plan_file": _("报送年度督查检查考核计划"),
                "admission.plan_approve": _("批准年度督查检查考核计划"),
                "admission.inspection_record": _("登记督查检查（联合检查）"),
                "admission.inspection_rate": _("社区评价督查检查"),
                "admission.sent_down_register": _("登记要求社区参加的会议或发往社区的文件"),
            }
        )
        navigation.register(
            _("事项清单"), "admission:lists", perm="admission.browse_lists", order=20
        )
        navigation.register(
            _("开证明"), "admission:certificates", perm="admission.ask_certificates",
            unless="admission.browse_lists", order=20,
        )  # fmt: skip
        navigation.register(
            _("准入申请"), "admission:request_list", perm="admission.use_requests", order=21
        )
        core_workbench.register(workbench.cards)
        extensions.register("admission")(demo.build)
