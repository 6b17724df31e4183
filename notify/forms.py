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


# One choice per kind on the page: as the channels above, in-app only, or one channel.
DEFAULT, NONE = "", "none"
KIND_CHOICES = [(DEFAULT, _("同上")), (NONE, _("仅站内消息"))] + [
    (c.value, c.label) for c in EXTERNAL
]
PREFIX = "kind:"


def by_kind_of(data) -> dict[str, list[str]]:
    """The page's per-kind choices (``kind:<key>`` fields) as Preference.by_kind: only the
    kinds given a choice other than "as above"; the service checks kinds and channels."""
    out = {}
    for name in data:
        if not name.startswith(PREFIX) or data.get(name, DEFAULT) == DEFAULT:
            continue
        value = data.get(name)
        out[name[len(PREFIX) :]] = [] if value == NONE else [value]
    return out


def choice_of(by_kind: dict, key: str) -> str:
    if key not in by_kind:
        return DEFAULT
    chosen = by_kind[key]
    return chosen[0] if chosen else NONE


__all__ = ["PreferenceForm", "Channel"]
