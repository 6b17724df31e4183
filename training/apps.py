from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The audit log's names for this app's actions.
AUDIT_LABELS = {
    "training.rule_create": _("新增培训学时规则"),
    "training.defaults_seed": _("载入默认培训规则与内容领域"),
    "training.area_create": _("新增培训内容领域"),
    "training.survey_create": _("发起培训需求调查"),
    "training.survey_answer": _("填写培训需求"),
    "training.plan_create": _("新增培训计划"),
    "training.course_create": _("新增培训课程"),
    "training.enrol": _("培训报名"),
    "training.attendance_record": _("登记培训出勤"),
    "training.certificate_issue": _("出具培训证书"),
}


class TrainingConfig(AppConfig):
    """Training of community workers (seed §4, issue #16 item 7)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    verbose_name = _("社区工作者培训")

    def ready(self):
        from core import action_labels, navigation
        from core.demo import extensions
        from training import demo, figures, rules  # noqa: F401 - rules registers the permissions

        navigation.register(_("培训"), "training:index", perm="training.view", order=27)
        navigation.register(_("我的培训"), "training:me", perm="training.view_own", order=28)
        extensions.register("training")(demo.build)
        action_labels.register(AUDIT_LABELS)
        figures.register_all()  # its row of the district's one page (/outcomes/)
