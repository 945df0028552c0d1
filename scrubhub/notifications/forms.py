"""Forms for the staff's message pages: filtering, weekly summary settings and
correcting a person's contact details before sending again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from makers.forms import PlainForm, RadioSelect, _clean_phone
from makers.models import Maker
from makers.validators import is_mobile
from scrubhub.notifications.models import HubMessageSettings, Message
from scrubhub.once import OnceForm


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


class ContactCorrectForm(OnceForm, PlainForm):
    """Hub staff correct the phone number or email a message did not reach, and send it
    again (makers.services.maker_contact_correct). One per person on the page, each with
    its own prefix, and its token good for that person only."""

    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(label=_("Email address"), required=False, max_length=254)
    preferred_channel = forms.ChoiceField(
        label=_("How they like to hear from the hub"),
        choices=Maker.Channel.choices,
        widget=RadioSelect,
        error_messages={"required": _("Choose how they like to hear from the hub.")},
    )

    def __init__(self, *args, maker: Maker, **kwargs):
        self.maker = maker
        kwargs.setdefault("prefix", f"p{maker.pk}")
        kwargs.setdefault(
            "initial",
            {
                "email": maker.email,
                "phone": maker.phone,
                "preferred_channel": maker.preferred_channel,
            },
        )
        super().__init__(*args, **kwargs)

    def once_scope(self) -> str:
        return f"maker-{self.maker.pk}"

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        # The service decides; these say the same beside the field the answer is in.
        data = super().clean()
        email, phone, channel = data.get("email"), data.get("phone"), data.get("preferred_channel")
        if "email" in self.errors or "phone" in self.errors:
            return data
        if not email and not phone:
            self.add_error("phone", _("Give a phone number or an email address."))
        elif channel == Maker.Channel.EMAIL and not email:
            self.add_error("email", _("To hear from us by email, they need an email address."))
        elif channel in (Maker.Channel.SMS, Maker.Channel.PHONE) and not phone:
            self.add_error("phone", _("To hear from us by phone or text, they need a number."))
        elif channel == Maker.Channel.SMS and not is_mobile(phone):
            self.add_error("phone", _("Texts need a mobile number (starting 07)."))
        return data
