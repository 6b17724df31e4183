"""Log in by username (staff) or mobile number (residents), at a pace core.throttle keeps.

Every attempt costs the same password-hashing work whether the login name has an account, has
one with another password, or is refused for coming too early or without a CAPTCHA, and every
refusal of a password reads the same: nothing tells a resident's mobile number from a stranger's.
Logins, failures, refusals and logouts are written to the audit log.
"""

from django.contrib.auth import signals
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import personal_data
from core.models import AccountMobile, Person, User
from core.services import people
from core.throttle import LoginGate, LoginRefused

__all__ = ["LoginFailed", "LoginRefused", "account_by_mobile", "attempt", "find_account"]

BACKEND = "core.auth.UsernameOrMobileBackend"


def find_account(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    user = User.objects.filter(username__iexact=login).first()
    if user is not None:
        return user
    try:
        mobile_hash = personal_data.mobile_hash(login)
    except ValidationError:
        return None
    return account_by_mobile(mobile_hash)


def account_by_mobile(mobile_hash: str) -> User | None:
    """The account that signs in with this mobile number (its keyed hash): the number it proved
    at sign-up (core.AccountMobile), else the number of the person whose account it is."""
    mobile = AccountMobile.objects.select_related("user").filter(mobile_hash=mobile_hash).first()
    if mobile is not None:
        return mobile.user
    person = (
        Person.objects.select_related("account")
        .filter(mobile_hash=mobile_hash, account__isnull=False)
        .first()
    )
    return person.account if person else None


def spend_hash(password: str) -> None:
    """The hashing work of one password check, for an attempt that checks none."""
    make_password(password or "")


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return self.check(find_account(username), password)

    def check(self, user: User | None, password: str | None) -> User | None:
        """The account if the password is its own and it may log in; one hash either way."""
        if user is None:
            spend_hash(password)  # as much work as a real check: no timing oracle
            return None
        if user.check_password(password or "") and self.user_can_authenticate(user):
            user.backend = BACKEND
            return user
        return None

    def _get_permissions(self, user_obj, obj, from_name):
        """No permissions from Django's tables: Linli grants none there (every permission is a
        rule of core.rules and the apps' rules.py, answered by the rules backend). Without this,
        each page that asks a permission the rules deny read the two permission tables."""
        return set()


def attempt(gate: LoginGate, *, login: str, password: str, captcha_solved: bool) -> User:
    """Check one login at the pace `gate` keeps for its name and address: the account, or raise
    LoginRefused (not checked: too early, or a CAPTCHA needed) or LoginFailed (checked and
    wrong, whoever the name is)."""
    try:
        gate.admit(captcha_solved=captcha_solved)
    except LoginRefused as refused:
        spend_hash(password)
        people.login_refused(login=gate.masked, reason=refused.reason, wait=refused.wait)
        raise
    account = find_account(login)
    user = UsernameOrMobileBackend().check(account, password)
    if user is None:
        captcha_now = gate.failed()
        people.login_failed(
            login=gate.masked, user=account, failures=gate.failures, captcha_now=captcha_now
        )
        raise LoginFailed("invalid_login")
    gate.succeeded()
    return user


class LoginFailed(Exception):
    """A password checked and found wrong (or the name has no account that may log in)."""


def _logged_in(sender, request, user, **kwargs):
    people.login_succeeded(user=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        people.logged_out(user=user)


def connect_signals() -> None:
    """Audit every login (the login page's, and any other) and logout; called by CoreConfig."""
    from core import action_labels

    signals.user_logged_in.connect(_logged_in, dispatch_uid="core.auth.logged_in")
    signals.user_logged_out.connect(_logged_out, dispatch_uid="core.auth.logged_out")
    action_labels.register(AUDIT_LABELS)


AUDIT_LABELS = {
    "account.login": _("登录"),
    "account.logout": _("退出登录"),
    "account.login_refused": _("登录被拒绝"),
    "account.captcha_required": _("登录需要验证码"),
    "request.rate_limited": _("请求过于频繁"),
    "sms_code.sent": _("发送短信验证码"),
    "account.signup": _("居民注册账号"),
    "account.signup_duplicate": _("已注册手机号再次申请注册"),
    "account.password_reset_sms": _("短信验证重设密码"),
    "account.reset_refused_staff": _("工作人员账号申请短信重设密码被拒绝"),
    "account.link_requested": _("申请关联居民信息"),
    "account.link_approved": _("关联居民信息"),
    "account.link_refused": _("退回居民信息关联申请"),
}
