from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notify.models import EXTERNAL, Channel


class PreferenceForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("除站内消息外，还通过"),
        choices=[(c.value, c.label) for c in EXTERNAL],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("站内消息总会收到；所选渠道发送失败时，消息仍在站内。"),
    )
    quiet_start = forms.TimeField(label=_("免打扰开始"), required=False, help_text=_("如 22:00"))
    quiet_end = forms.TimeField(
        label=_("免打扰结束"), required=False, help_text=_("如 07:30；紧急消息不受免打扰限制")
    )
    language = forms.ChoiceField(label=_("短信、邮件和微信的语言"), choices=settings.LANGUAGES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channels"].choices = [(c.value, c.label) for c in EXTERNAL]


__all__ = ["PreferenceForm", "Channel"]
