"""Forms for starting a hub (/start/) and the operator's answer. They check what was typed;
the rules live in scrubhub.start.services."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from dropoffs.models import OpeningHours
from makers.forms import PlainForm
from makers.validators import normalise_postcode
from packages.models import GarmentType, Size
from scrubhub.hubs.team_forms import HubSettingsForm
from scrubhub.hubs.team_services import RETENTION_DAYS_MAX
from scrubhub.once import OnceForm

EMAIL_INVALID = _("Enter an email address like name@example.com.")


def _email_field(label, **kwargs) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        max_length=254,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "email"}),
        error_messages={"invalid": EMAIL_INVALID},
        **kwargs,
    )


class HubNameFields(forms.Form):
    hub_name = forms.CharField(
        label=_("The hub's name"),
        max_length=200,
        help_text=_("What volunteers will know it by, like Tayside Scrub Hub."),
    )
    hub_area = forms.CharField(
        label=_("Town or area it serves"),
        max_length=200,
        help_text=_("Like Dundee and Angus."),
    )


class StartHubForm(OnceForm, PlainForm, HubNameFields):
    """A signed-in person starts a hub: its name and area."""

    required_messages = {
        "hub_name": _("Enter the hub's name."),
        "hub_area": _("Enter the town or area the hub serves."),
    }


class StartAccountForm(OnceForm, PlainForm, HubNameFields):
    """Someone new starts a hub: who they are, a password, and the hub's name and area."""

    required_messages = {
        "name": _("Enter your full name."),
        "email": _("Enter your email address."),
        "password1": _("Choose a password."),
        "password2": _("Type the password again."),
        **StartHubForm.required_messages,
    }
    name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = _email_field(
        _("Your email address"), help_text=_("You sign in with it. We never show it to volunteers.")
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        help_text=_("At least 10 letters, numbers or signs. A few words together work well."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    field_order = ["name", "email", "password1", "password2", "hub_name", "hub_area"]

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            email = data.get("email") or ""
            probe = get_user_model()(username=email, email=email)
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


# Where UK and Irish hubs are; a hub elsewhere asks the operator.
TIMEZONES = [
    ("Europe/London", _("UK (London time)")),
    ("Europe/Dublin", _("Ireland (Dublin time)")),
    ("Europe/Isle_of_Man", _("Isle of Man")),
    ("Europe/Jersey", _("Jersey")),
    ("Europe/Guernsey", _("Guernsey")),
    ("Europe/Gibraltar", _("Gibraltar")),
]


def _coordinate(label, *, most: int, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-most,
        max_value=most,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": _("Enter a number, like 56.4620."),
            "min_value": _("That is not on the map."),
            "max_value": _("That is not on the map."),
            "max_decimal_places": _("Give at most 6 figures after the point."),
            "max_digits": _("That is not on the map."),
        },
    )


class HubStepForm(PlainForm):
    required_messages = {
        "name": _("Enter the hub's name."),
        "area": _("Enter the town or area the hub serves."),
        "slug": _("Enter the hub's web address."),
        "phone": _("Enter the phone number volunteers should call."),
        "email": _("Enter the email address volunteers should write to."),
    }
    name = forms.CharField(label=_("The hub's name"), max_length=200)
    area = forms.CharField(label=_("Town or area it serves"), max_length=200)
    slug = forms.SlugField(
        label=_("Web address"),
        max_length=80,
        help_text=_(
            "The end of the hub's address, where volunteers join: small letters, numbers "
            "and dashes. It cannot change once the hub is open."
        ),
        error_messages={"invalid": _("Use only small letters, numbers and dashes.")},
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "none"}),
    )
    phone = forms.CharField(
        label=_("Phone number for volunteers"),
        max_length=40,
        help_text=_("Shown on every page volunteers see, and in messages to them."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = _email_field(
        _("Email address for volunteers"),
        help_text=_("Shown on every page volunteers see. It can be the same as yours."),
    )
    about = forms.CharField(
        label=_("About the hub"),
        required=False,
        max_length=2000,
        help_text=_("A few plain sentences for the hub's page, where people join."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    timezone = forms.ChoiceField(label=_("Time zone"), choices=TIMEZONES)
    latitude = _coordinate(
        _("Latitude of the hub"),
        most=90,
        help_text=_("Where the hub is, so maps start there. Tap the map, or type it."),
    )
    longitude = _coordinate(_("Longitude of the hub"), most=180, help_text=_("Like -2.9707."))

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            missing = "longitude" if data.get("longitude") is None else "latitude"
            if missing not in self.errors:
                self.add_error(missing, _("Give both latitude and longitude, or neither."))
        return data


class HospitalStepForm(OnceForm, PlainForm):
    required_messages = {"name": _("Enter the hospital's name.")}
    name = forms.CharField(label=_("Hospital's name"), max_length=200)
    laundry_name = forms.CharField(
        label=_("Its laundry service"),
        max_length=200,
        required=False,
        help_text=_("Who takes the scrubs in, like Ninewells Linen Services."),
    )
    address = forms.CharField(
        label=_("Where deliveries go"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    laundry_email = _email_field(
        _("Email of someone in the laundry"),
        required=False,
        help_text=_(
            "We invite them to say what the hospital needs. They never see volunteers' "
            "details. The invitation goes once the hub is open."
        ),
    )


class LaundryInviteForm(OnceForm, PlainForm):
    """Another person in the laundry of a hospital the hub already serves."""

    required_messages = {
        "hospital": _("Choose the hospital."),
        "laundry_email": _("Enter their email address."),
    }
    hospital = forms.ModelChoiceField(label=_("Hospital"), queryset=None)
    laundry_email = _email_field(_("Their email address"))

    def __init__(self, *args, hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].queryset = hub.hospitals.order_by("name")


class GarmentsStepForm(PlainForm):
    """Metres of fabric for one garment of each type and size the hub makes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for garment_type, garment_label in GarmentType.choices:
            for size in Size.values:
                self.fields[f"m_{garment_type}_{size}"] = forms.DecimalField(
                    label=_("%(garment)s, size %(size)s")
                    % {"garment": garment_label, "size": size},
                    required=False,
                    min_value=0.01,
                    max_value=20,
                    max_digits=5,
                    decimal_places=2,
                    # PlainForm gave its classes before these fields existed.
                    widget=forms.TextInput(
                        attrs={"inputmode": "decimal", "class": "form-control input-number"}
                    ),
                    error_messages={
                        "invalid": _("Enter metres as a number, like 1.5."),
                        "min_value": _("Enter more than 0 metres."),
                        "max_value": _("Enter metres for one garment: at most 20."),
                        "max_decimal_places": _("Give at most 2 figures after the point."),
                        "max_digits": _("Enter metres for one garment: at most 20."),
                    },
                )

    def groups(self):
        """[(garment label, [bound field for each size])], for the page."""
        return [
            (label, [self[f"m_{garment_type}_{size}"] for size in Size.values])
            for garment_type, label in GarmentType.choices
        ]

    def metres(self) -> dict:
        return {
            (garment_type, size): self.cleaned_data.get(f"m_{garment_type}_{size}")
            for garment_type in GarmentType.values
            for size in Size.values
        }

    def clean(self):
        data = super().clean()
        if not self.errors and not any(value is not None for value in self.metres().values()):
            raise forms.ValidationError(
                _("Give the fabric for at least one garment and size your hub will make.")
            )
        return data


class PointStepForm(OnceForm, PlainForm):
    required_messages = {
        "name": _("Enter the point's name, as people know it."),
        "address": _("Enter the point's address."),
        "postcode": _("Enter the point's postcode."),
        "latitude": _("Tap the map, or type the latitude."),
        "longitude": _("Tap the map, or type the longitude."),
    }
    name = forms.CharField(
        label=_("Point's name"),
        max_length=200,
        help_text=_("As people know it, like Central Library."),
    )
    address = forms.CharField(
        label=_("Address"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "class": "input-postcode"}),
    )
    latitude = _coordinate(
        _("Latitude"), most=90, help_text=_("Tap the map where the point is, or type it.")
    )
    longitude = _coordinate(_("Longitude"), most=180, help_text=_("Like -2.9707."))
    accepts_kit_collection = forms.BooleanField(
        label=_("Makers can collect kits here"), required=False, initial=True
    )
    accepts_finished_garments = forms.BooleanField(
        label=_("Makers can hand in finished scrubs here"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["latitude"].required = True
        self.fields["longitude"].required = True

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if not postcode:
            raise forms.ValidationError(_("Enter a full UK postcode, like DD1 4HN."))
        return postcode


class PointHoursForm(PlainForm):
    """One point's opening times, in a form prefixed with the point's id."""

    opening_hours = forms.CharField(
        label=_("Opening hours in words"),
        max_length=300,
        required=False,
        help_text=_("What people read, like: Mon to Fri 10am to 4pm."),
    )

    def __init__(self, *args, point, **kwargs):
        kwargs.setdefault("prefix", f"p{point.pk}")
        self.point = point
        super().__init__(*args, **kwargs)
        for value, label in OpeningHours.Weekday.choices:
            for end, words in (("opens", _("%s opens")), ("closes", _("%s closes"))):
                self.fields[f"{end}_{value}"] = forms.TimeField(
                    label=words % label,
                    required=False,
                    widget=forms.TimeInput(
                        attrs={"type": "time", "class": "form-control"}, format="%H:%M"
                    ),
                    error_messages={"invalid": _("Enter a time, like 09:30.")},
                )

    @classmethod
    def initial_for(cls, point) -> dict:
        initial = {"opening_hours": point.opening_hours}
        for slot in point.hours.all():
            initial.setdefault(f"opens_{slot.weekday}", slot.opens)
            initial.setdefault(f"closes_{slot.weekday}", slot.closes)
        return initial

    def day_fields(self):
        return [
            (label, self[f"opens_{value}"], self[f"closes_{value}"])
            for value, label in OpeningHours.Weekday.choices
        ]

    def clean(self):
        data = super().clean()
        for value, label in OpeningHours.Weekday.choices:
            opens, closes = data.get(f"opens_{value}"), data.get(f"closes_{value}")
            if f"opens_{value}" in self.errors or f"closes_{value}" in self.errors:
                continue
            if (opens is None) != (closes is None):
                self.add_error(
                    f"closes_{value}" if closes is None else f"opens_{value}",
                    _("Give both times for %s, or neither.") % label,
                )
            elif opens is not None and closes <= opens:
                self.add_error(f"closes_{value}", _("The point must close after it opens."))
        return data

    def hours(self) -> tuple[str, list[tuple]]:
        data = self.cleaned_data
        times = [
            (value, data[f"opens_{value}"], data[f"closes_{value}"])
            for value, _label in OpeningHours.Weekday.choices
            if data.get(f"opens_{value}") is not None
        ]
        return data.get("opening_hours", ""), times


class SettingsStepForm(HubSettingsForm):
    """The hub settings page's rules for the overdue limit and stand-down date, and the
    retention period a new hub chooses for itself."""

    retention_days = forms.IntegerField(
        label=_("Days to keep volunteers' details after the stand-down date"),
        min_value=0,
        max_value=RETENTION_DAYS_MAX,
        help_text=_(
            "Then they are erased, except for people who chose to stay on standby. "
            "180 days is usual."
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-number"}),
        error_messages={
            "required": _("Enter a number of days."),
            "min_value": _("Enter a number of days from 0 to %(limit_value)s."),
            "max_value": _("Enter a number of days from 0 to %(limit_value)s."),
            "invalid": _("Enter a whole number of days, like 180."),
        },
    )

    field_order = ["overdue_after_days", "stand_down_on", "erasure_confirmed", "retention_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only these: the rest of the settings page (contact, approving volunteers...) is
        # asked elsewhere in the setup, or can wait.
        for name in [name for name in self.fields if name not in self.field_order]:
            del self.fields[name]
        self.fields["retention_days"].widget.attrs["class"] = "form-control input-number"


class DeclineForm(PlainForm):
    required_messages = {"reason": _("Say why, so the coordinator can put it right.")}
    reason = forms.CharField(
        label=_("Why it cannot open yet"),
        max_length=500,
        help_text=_("The coordinator reads this. Say what to put right."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
