from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    """Shared registry: residents, households, buildings, one source per field, imports, reports."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "registry"
    verbose_name = _("共享数据")

    def ready(self):
        from core import action_labels, key_rotation, navigation, workbench
        from core.demo import extensions
        from registry import demo, rules, values, workbench_cards  # noqa: F401

        navigation.register(_("共享数据"), "registry:home", perm="core.use_staff_pages", order=45)

        action_labels.register(
            {
                "registry.field_owner": _("指定字段权威来源"),
                "registry.fact_record": _("登记数据项"),
                "registry.conflict_settle": _("核定数据冲突"),
                "registry.residence_set": _("登记居住信息"),
                "registry.building_create": _("登记楼栋"),
                "registry.building_update": _("修改楼栋"),
                "registry.house_create": _("登记房屋"),
                "registry.organisation_register": _("登记单位"),
                "registry.report_register": _("登记报表"),
                "registry.report_fill": _("填报报表"),
                "registry.report_status": _("调整报表台账"),
                "registry.grant_create": _("授权数据共享"),
                "registry.grant_end": _("终止数据共享"),
                "registry.shared_read": _("按授权查阅个人数据"),
                "registry.import_source_create": _("新建导入来源"),
                "registry.import_mapping": _("保存列映射"),
                "registry.import_upload": _("上传导入文件"),
                "registry.import_recheck": _("重新检查导入文件"),
                "registry.import_confirm": _("确认导入人员"),
                "registry.import_interrupted": _("导入中断"),
                "registry.import_id_checked": _("核对以000结尾的身份证号"),
                "registry.import_commit": _("提交导入"),
                "registry.import_file_deleted": _("删除导入文件"),
            }
        )
        key_rotation.register(values.rotation_target())
        workbench.register(workbench_cards.cards)
        extensions.register("registry")(demo.build)
        from registry import time_source  # issue #13: registry work as burden-index time

        time_source.register()
