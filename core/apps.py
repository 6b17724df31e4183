from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = _("核心")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.backends.signals import connection_created

        from core import auth, key_rotation, navigation, passwords, personal_data
        from core.collation import register_on_sqlite

        connection_created.connect(register_on_sqlite, dispatch_uid="core.collation.pinyin")
        auth.connect_signals()  # logins and logouts in the audit log
        user_logged_in.connect(passwords.note_sign_in, dispatch_uid="core.passwords.sign_in")
        key_rotation.register(personal_data.rotation_target())
        from core.sms_models import rotation_targets

        for target in rotation_targets():
            key_rotation.register(target)

        navigation.register(_("工作台"), "workbench", order=0)
        navigation.register(_("辖区"), "place_list", perm="core.browse_places", order=10)
        navigation.register(_("人员"), "person_list", perm="core.use_staff_pages", order=20)
        navigation.register(_("职能部门"), "department_list", perm="core.use_staff_pages", order=30)
        navigation.register(
            _("账号关联"), "account_links", perm="core.review_account_links", order=25
        )
        navigation.register(_("操作记录"), "audit_log", perm="core.view_audit_log", order=80)
        navigation.register(_("工作日历"), "calendar", perm="core.manage_calendar", order=85)
        navigation.register(_("我的信息"), "my_data", order=90)
