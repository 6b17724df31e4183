"""Forms only parse input; the services validate and decide."""

from captcha.fields import CaptchaField
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core import auth
from core.models import Role, TokenScope
from core.throttle import LoginGate
from core.widgets import PlacePicker


class LoginForm(AuthenticationForm):
    """The login page's form. It asks for a CAPTCHA once core.throttle wants one; a refused or
    wrong attempt reads the same whether or not the name has an account."""

    username = forms.CharField(
        label=_("用户名或手机号"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("用户名/手机号或密码不正确。连续输错多次后需输入验证码并稍候再试。"),
        "inactive": _("该账号已停用。"),
        "too_early": _("登录尝试过于频繁，请在%(seconds)s秒后再试。"),
        "captcha": _("请输入图中的验证码。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        login = self.data.get("username", "") if self.is_bound else ""
        self.gate = LoginGate(request, login)
        if self.gate.captcha_required:
            self._ask_for_captcha()

    def _ask_for_captcha(self):
        self.fields["captcha"] = CaptchaField(
            label=_("验证码"),
            error_messages={
                "required": self.error_messages["captcha"],
                "invalid": _("验证码不正确，请重新输入。"),
            },
        )

    def clean(self):
        login = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if login is None or password is None:
            return self.cleaned_data  # the missing field says so
        solved = "captcha" in self.fields and "captcha" in self.cleaned_data
        try:
            self.user_cache = auth.attempt(
                self.gate, login=login, password=password, captcha_solved=solved
            )
        except auth.LoginRefused as refused:
            if refused.reason == "captcha":
                if "captcha" not in self.errors:
                    self.add_error("captcha", self.error_messages["captcha"])
                return self.cleaned_data
            raise forms.ValidationError(
                self.error_messages["too_early"], code="too_early", params={"seconds": refused.wait}
            ) from None
        except auth.LoginFailed:
            if self.gate.captcha_required and "captcha" not in self.fields:
                self._ask_for_captcha()
            raise self.get_invalid_login_error() from None
        return self.cleaned_data


class PlaceForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    population = forms.IntegerField(label=_("人口"), min_value=0)
    households = forms.IntegerField(label=_("户数"), min_value=0)


class ChildPlaceForm(PlaceForm):
    code = forms.CharField(label=_("代码"), max_length=20)


class MovePlaceForm(forms.Form):
    new_parent = forms.ModelChoiceField(label=_("新的上级"), queryset=None)
    new_code = forms.CharField(label=_("新代码"), max_length=20)
    note = forms.CharField(label=_("说明（如批准文号）"), max_length=200, required=False)

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = parents


class MergePlaceForm(forms.Form):
    into = forms.ModelChoiceField(label=_("并入"), queryset=None)
    note = forms.CharField(label=_("说明（如批准文号）"), max_length=200, required=False)

    def __init__(self, *args, siblings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = siblings


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("部门名称"), max_length=100)
    short_code = forms.CharField(label=_("简码"), max_length=32)


class PersonForm(forms.Form):
    place = forms.ModelChoiceField(label=_("所属地点"), queryset=None)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=30, required=False)
    mobile = forms.CharField(label=_("手机号"), max_length=30, required=False)
    address = forms.CharField(label=_("联系地址"), max_length=200, required=False)
    role = forms.ChoiceField(
        label=_("开通账号并分配角色"), choices=[("", _("不开通账号"))], required=False
    )
    department = forms.ModelChoiceField(label=_("部门"), queryset=None, required=False)
    username = forms.CharField(
        label=_("用户名（工作人员）"), max_length=150, required=False,
        help_text=_("居民账号以手机号登录，无需用户名。"),
    )  # fmt: skip
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput(render_value=False), required=False
    )

    def __init__(self, *args, places=None, departments=None, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["department"].queryset = departments
        self.fields["role"].choices = [("", _("不开通账号"))] + [
            (r.value, r.label) for r in Role if r.value in roles
        ]


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=())
    place = forms.ModelChoiceField(label=_("地点"), queryset=None)
    department = forms.ModelChoiceField(label=_("部门"), queryset=None, required=False)

    def __init__(self, *args, places=None, departments=None, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in Role if r.value in roles]
        self.fields["place"].queryset = places
        self.fields["department"].queryset = departments


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[("id_number", _("身份证号")), ("mobile", _("手机号"))], widget=forms.HiddenInput
    )
    purpose = forms.CharField(label=_("查看用途"), max_length=200)


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("操作"), required=False)
    actor = forms.CharField(label=_("操作人"), required=False)
    since = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=100)
    scope = forms.ChoiceField(
        label=_("权限范围"), choices=TokenScope.choices, initial=TokenScope.READ,
        widget=forms.RadioSelect,
        help_text=_("只读令牌只能查询；读写令牌可以按您的权限修改数据。"),
    )  # fmt: skip
    # The service checks the range (its message names the deployment's maximum).
    days = forms.IntegerField(label=_("有效天数"), initial=lambda: settings.API_TOKEN_DAYS)


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"), max_length=10,
        help_text=_("身份验证器应用上显示的6位数字，每30秒更换一次。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )  # fmt: skip


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput)


def communities_field(label, help_text) -> forms.ModelMultipleChoiceField:
    """The ``communities`` field of a ``CommunitiesMixin`` form (its choices come later)."""
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=None,
        required=False,
        widget=PlacePicker(legend=label),
        help_text=help_text,
    )


class CommunitiesMixin:
    """For a form with ``communities`` (``communities_field``), a multiple choice among the
    communities given as ``communities=``, and ``all_communities``, a box that chooses every
    one of them."""

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if communities is not None:  # the picker groups them by street: read streets at once
            communities = communities.select_related("parent")
        self.fields["communities"].queryset = communities

    def clean(self):
        data = super().clean()
        if data.get("all_communities"):
            data["communities"] = list(self.fields["communities"].queryset)
        return data


# ---------------------------------------------------------------- residents' own accounts

_PHONE = {"inputmode": "numeric", "autocomplete": "tel", "placeholder": "13800000000"}
_CODE = {"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}


class MobileForm(forms.Form):
    """Only the number: the "获取验证码" button of the sign-up and reset pages."""

    mobile = forms.CharField(label=_("手机号"), max_length=30, widget=forms.TextInput(_PHONE))


class CodeAndPasswordForm(MobileForm):
    """Sign up, or set a new password: the number, the code sent to it and the password twice."""

    code = forms.CharField(label=_("短信验证码"), max_length=10, widget=forms.TextInput(_CODE))
    password = forms.CharField(
        label=_("设置密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("再次输入密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class AccountLinkForm(forms.Form):
    community = forms.ModelChoiceField(label=_("居住社区"), queryset=None)
    name = forms.CharField(label=_("姓名（与身份证一致）"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=30)

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].label_from_instance = lambda c: (
            f"{c.parent.name} · {c.name}" if c.parent_id else c.name
        )


class LinkRefuseForm(forms.Form):
    reason = forms.CharField(label=_("不通过的原因"), max_length=200)
