from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkloadConfig(AppConfig):
    """Work pushed to communities (only through admission), automatic traces and ledgers, burden index."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workload"
    verbose_name = _("社区工作负担")

    def ready(self):
        from core import action_labels, navigation
        from core import workbench as core_workbench
        from core.demo import extensions
        from workload import deadlines, demo, rules, sources, workbench  # noqa: F401

        sources.register()

        action_labels.register(
            {
                "workload.tasks_dispatch": _("派发社区任务"),
                "workload.task_complete": _("完成社区任务"),
                "workload.task_refuse": _("拒绝社区任务"),
                "workload.unadmitted_refuse": _("拒绝未准入事项"),
                "workload.time_log": _("登记服务与自治用时"),
                "workload.burden_rebuild": _("重算负担指数月汇总"),
            }
        )
        navigation.register(
            _("社区任务"), "workload:task_list", perm="workload.use_tasks", order=22
        )
        navigation.register(_("负担指数"), "workload:burden", perm="workload.view_burden", order=23)
        core_workbench.register(workbench.cards)
        core_workbench.register(workbench.burden_card)
        # After admission's builder: the demo tasks need admitted items.
        extensions.register("workload")(demo.build)
