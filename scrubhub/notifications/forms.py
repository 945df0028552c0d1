from django import forms
from django.utils.translation import gettext_lazy as _

from scrubhub.notifications.models import HubMessageSettings, Message


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Message.Status.choices],
    )
    channel = forms.ChoiceField(
        label=_("Sent by"),
        required=False,
        choices=[("", _("Any way")), *Message.Channel.choices],
    )


class SummarySettingsForm(forms.ModelForm):
    class Meta:
        model = HubMessageSettings
        fields = ["summaries_enabled", "summary_weekday", "summary_hour"]
        labels = {
            "summaries_enabled": _("Send weekly summaries"),
            "summary_weekday": _("Day"),
            "summary_hour": _("Hour (0 to 23)"),
        }

    def clean_summary_hour(self):
        hour = self.cleaned_data["summary_hour"]
        if not 0 <= hour <= 23:
            raise forms.ValidationError(_("Choose an hour from 0 (midnight) to 23 (11pm)."))
        return hour
