"""Forms for the team and settings pages. They check what was typed; the rules live in
scrubhub.hubs.team_services."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from makers.forms import PlainForm, RadioSelect
from scrubhub.form_fields import DateField
from scrubhub.hubs.models import INVITABLE_ROLES, Hub, Role
from scrubhub.hubs.team_services import ErasureNotConfirmed, StandDownError, stand_down_check
from scrubhub.once import OnceForm

ROLE_HINTS = {
    Role.HUB_STAFF: _("Hub staff: approve volunteers, prepare and allocate kits, check quality."),
    Role.COORDINATOR: _("Coordinator: everything hub staff do, plus the team and settings."),
    Role.DRIVER: _("Driver: collection runs between points, doorsteps and the hub."),
    Role.POINT_HELPER: _("Point helper: hands kits over and takes scrubs in at one point."),
    Role.LAUNDRY: _(
        "Laundry staff: the hospital's needs and deliveries. They never see volunteers' details."
    ),
}


class InviteForm(OnceForm, PlainForm):
    required_messages = {
        "email": _("Enter their email address."),
        "role": _("Choose what they will do."),
    }
    email = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
    )
    role = forms.ChoiceField(
        label=_("What will they do?"),
        choices=[(role.value, ROLE_HINTS[role]) for role in INVITABLE_ROLES],
        widget=RadioSelect,
    )
    point = forms.ModelChoiceField(
        label=_("Which point will they help at?"), queryset=None, required=False
    )
    hospital = forms.ModelChoiceField(
        label=_("Which hospital's laundry do they work in?"), queryset=None, required=False
    )

    def __init__(self, *args, hub, **kwargs):
        from dropoffs.models import Point

        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = Point.objects.filter(hub=hub).order_by("name")
        self.fields["hospital"].queryset = hub.hospitals.order_by("name")

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.POINT_HELPER and not data.get("point"):
            self.add_error("point", _("Choose the point they will help at."))
        if role == Role.LAUNDRY and not data.get("hospital"):
            self.add_error("hospital", _("Choose the hospital whose laundry they work in."))
        return data


class AcceptAccountForm(PlainForm):
    """A new account for someone accepting an invitation: their name and a password."""

    required_messages = {
        "name": _("Enter your full name."),
        "password1": _("Choose a password."),
        "password2": _("Type the password again."),
        "confirm": _("Tick the box to say this invitation was sent to you."),
    }
    name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
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

    # A forwarded invitation would otherwise make an account in someone else's name.
    confirm = forms.BooleanField(label="")

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["confirm"].label = _("I am %(email)s: this invitation was sent to me.") % {
            "email": email
        }

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(username=self.email, email=self.email)
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class HubSettingsForm(PlainForm):
    required_messages = {
        "phone": _("Enter the phone number volunteers should call."),
        "email": _("Enter the email address volunteers should write to."),
        "overdue_after_days": _("Enter a number of days."),
    }
    phone = forms.CharField(
        label=_("Phone number for volunteers"),
        max_length=40,
        help_text=_("Shown on every page volunteers see, and in messages to them."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email address for volunteers"),
        max_length=254,
        help_text=_("Shown on every page volunteers see. Problems makers report go here too."),
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
    )
    about = forms.CharField(
        label=_("About the hub"),
        required=False,
        max_length=2000,
        help_text=_("A few plain sentences for the hub's page, where people join."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    overdue_after_days = forms.IntegerField(
        label=_("Days a maker may keep a kit before it is overdue"),
        min_value=1,
        max_value=90,
        help_text=_("After this, the kit shows as overdue and the maker gets a friendly reminder."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-number"}),
        error_messages={
            "min_value": _("Enter a number of days from 1 to 90."),
            "max_value": _("Enter a number of days from 1 to 90."),
            "invalid": _("Enter a whole number of days, like 7."),
        },
    )
    auto_approve_makers = forms.BooleanField(
        label=_("Approve new volunteers at once, without waiting for staff"),
        required=False,
        help_text=_("Useful when many people join at once and the hub checks them later."),
    )
    offers_doorstep_visits = forms.BooleanField(
        label=_("Offer doorstep visits"),
        required=False,
        help_text=_(
            "A driver brings kits to the door of makers who cannot get to a point, and "
            "collects their scrubs. Makers aged 70 or over see the offer on their pages."
        ),
    )
    stand_down_on = DateField(
        label=_("Stand-down date"),
        required=False,
        help_text=_(
            "When the hub stops. Once a date is set, the hub no longer appears to people "
            "looking for a hub to join. Leave empty while the hub is running."
        ),
    )
    erasure_confirmed = forms.BooleanField(
        label=_("Yes, erase their details on that date"),
        required=False,
        help_text=_("People who chose standby keep their details."),
    )
    require_staff_two_factor = forms.BooleanField(
        label=_("Hub staff must use two-step sign-in"),
        required=False,
        help_text=_(
            "Staff then sign in with their password and a code from an app on their phone. "
            "Anyone without it set up is asked to set it up before they can do anything else."
        ),
    )

    def __init__(self, *args, hub: Hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.hub = hub
        # The box appears only when a new date will erase people (clean), and stays while
        # the coordinator answers it.
        if not (self.is_bound and "erasure_confirmed" in self.data):
            self._confirmation = self.fields.pop("erasure_confirmed")

    def clean(self):
        data = super().clean()
        if "stand_down_on" not in data:
            return data  # the date itself was not understood; that error says so
        try:
            stand_down_check(
                hub=self.hub,
                stand_down_on=data["stand_down_on"],
                erasure_confirmed=data.get("erasure_confirmed", False),
            )
        except ErasureNotConfirmed as error:
            if "erasure_confirmed" not in self.fields:
                # Straight after the date, where the coordinator is looking.
                fields = list(self.fields.items())
                at = [name for name, _field in fields].index("stand_down_on") + 1
                fields.insert(at, ("erasure_confirmed", self._confirmation))
                self.fields = dict(fields)
            self.add_error("stand_down_on", str(error))
        except StandDownError as error:
            self.add_error("stand_down_on", str(error))
        return data
