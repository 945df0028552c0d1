"""Forms for joining, signing in and the maker's own pages. They check what people typed
and say what is wrong in plain words; the rules themselves live in makers.services."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from dropoffs.selectors import closed_day_message, hours_known, open_on
from makers import signin
from makers.models import KitProblem, Maker, MakerGroup, ReturnPlan
from makers.selectors import points_for_makers
from makers.services import RETURN_DAYS_AHEAD, UNDER_16
from makers.validators import is_mobile, normalise_contact, normalise_phone, normalise_postcode
from scrubhub.once import OnceForm

AGE_BANDS = [
    (UNDER_16, _("Under 16")),
    (Maker.AgeBand.UNDER_18, _("16 or 17")),
    (Maker.AgeBand.ADULT, _("18 to 69")),
    (Maker.AgeBand.OVER_70, _("70 or over")),
]
EXPERIENCE = [
    (Maker.Experience.BEGINNER, _("A little, or not at all")),
    (Maker.Experience.CONFIDENT, _("I sew often and feel confident")),
    (Maker.Experience.PROFESSIONAL, _("I sew for a living, or used to")),
]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class RadioSelect(forms.RadioSelect):
    """Radios whose group links to its first option, so the error summary's link lands
    somewhere (Django gives a group of radios no id of its own)."""

    def id_for_label(self, id_, index=None):
        return super().id_for_label(id_, "0" if index is None else index)


class PlainForm(forms.Form):
    """Bootstrap classes on every input, our own words for "required", and each input
    pointed at its hint and error (aria-describedby), for makers/includes/field.html."""

    required_messages: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if name in self.required_messages:
                field.error_messages["required"] = self.required_messages[name]

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.RadioSelect):
                continue  # a group of radios is described on its fieldset
            auto_id = self[name].auto_id
            described = [f"{auto_id}_help"] if field.help_text else []
            if name in self.errors:
                described.append(f"{auto_id}_error")
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def __getitem__(self, name):
        bound = super().__getitem__(name)
        field = self.fields[name]
        if (
            field.help_text
            and "aria-describedby" not in field.widget.attrs
            and not isinstance(field.widget, forms.RadioSelect | forms.HiddenInput)
        ):
            field.widget.attrs["aria-describedby"] = f"{bound.auto_id}_help"
        return bound


def _point_label(point) -> str:
    hours = f" — {point.opening_hours}" if point.opening_hours else ""
    return f"{point.name}, {point.postcode}{hours}"


class PointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _point_label(obj)


def _clean_postcode(value: str) -> str:
    postcode = normalise_postcode(value)
    if not postcode:
        raise forms.ValidationError(_("Enter a full UK postcode, like DD1 4HN."))
    return postcode


def _clean_phone(value: str) -> str:
    if not value.strip():
        return ""
    phone = normalise_phone(value)
    if not phone:
        raise forms.ValidationError(
            _("Enter a UK phone number, like 07700 900123 or 01382 123456.")
        )
    return phone


GUARDIAN_CONTACT_INVALID = _(
    "Give a phone number, like 07700 900123, or an email address, like name@example.com. "
    "We send them a message to agree."
)


def clean_guardian_contact(form, data: dict, *, missing: str) -> None:
    """The guardian's contact must be a phone number or an email address: they are sent a
    message with a link to agree (makers.guardian_services). Kept as we store it."""
    contact = data.get("guardian_contact", "").strip()
    if not contact:
        form.add_error("guardian_contact", missing)
    elif not normalise_contact(contact):
        form.add_error("guardian_contact", GUARDIAN_CONTACT_INVALID)
    else:
        data["guardian_contact"] = normalise_contact(contact)


class JoinForm(OnceForm, PlainForm):
    """One page, eight questions. The hub's points are the choices for the point."""

    required_messages = {
        "name": _("Enter your full name."),
        "postcode": _("Enter your postcode."),
        "age_band": _("Choose how old you are."),
        "experience": _("Choose how much you have sewn before."),
        "has_sewing_machine": _("Say whether you have a sewing machine."),
        "preferred_point": _("Choose the drop-off point that is best for you."),
        "consent": _(
            "Tick the box to say we may keep your details. Without it we cannot send you kits."
        ),
    }

    name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        help_text=_("A mobile number lets us send you texts."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        help_text=_("For example, DD1 4HN. It helps us find a point near you."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "input-postcode"}),
    )
    age_band = forms.ChoiceField(label=_("How old are you?"), choices=AGE_BANDS, widget=RadioSelect)
    guardian_name = forms.CharField(
        label=_("Name of your parent or guardian"), required=False, max_length=200
    )
    guardian_contact = forms.CharField(
        label=_("Their phone number or email"),
        required=False,
        max_length=200,
        help_text=_("We send them a message asking them to agree."),
    )
    experience = forms.ChoiceField(
        label=_("How much have you sewn before?"), choices=EXPERIENCE, widget=RadioSelect
    )
    has_sewing_machine = forms.ChoiceField(
        label=_("Do you have a sewing machine?"), choices=YES_NO, widget=RadioSelect
    )
    preferred_point = PointChoiceField(
        label=_("Which drop-off point is best for you?"),
        queryset=None,
        widget=RadioSelect,
        empty_label=None,
        help_text=_("You collect kits and bring back scrubs here. You can change it later."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the hub may keep my details, to send me kits and to contact me "
            "about them."
        ),
    )

    def __init__(self, *args, hub, **kwargs):
        self.hub = hub
        super().__init__(*args, **kwargs)
        points = points_for_makers(hub=hub)
        self.fields["preferred_point"].queryset = points
        if not points.exists():
            del self.fields["preferred_point"]
        self.fields["consent"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("privacy"), _("Read our privacy notice")
        )
        self.fields["phone"].error_messages["max_length"] = _("That phone number is too long.")
        self.fields["email"].error_messages["invalid"] = _(
            "Enter an email address like name@example.com."
        )

    @staticmethod
    def scope_for(hub) -> str:
        return f"hub-{hub.pk}"

    def once_scope(self) -> str:
        # One hub's join form sent to another hub's address is stale there.
        return self.scope_for(self.hub)

    def clean_postcode(self) -> str:
        return _clean_postcode(self.cleaned_data["postcode"])

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if (
            not data.get("email")
            and not data.get("phone")
            and "email" not in self.errors
            and "phone" not in self.errors
        ):
            self.add_error(
                "email", _("Give an email address or a phone number, so we can reach you.")
            )
        if data.get("age_band") == Maker.AgeBand.UNDER_18:
            if not data.get("guardian_name", "").strip():
                self.add_error("guardian_name", _("Give the name of your parent or guardian."))
            clean_guardian_contact(
                self, data, missing=_("Give your parent or guardian's phone number or email.")
            )
        return data


class SignInForm(PlainForm):
    required_messages = {"address": _("Enter your email address or mobile number.")}
    address = forms.CharField(
        label=_("Your email address or mobile number"),
        max_length=254,
        help_text=_("The one you gave when you joined."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "spellcheck": "false"}),
    )

    def clean_address(self) -> dict:
        raw = self.cleaned_data["address"].strip()
        if "@" in raw:
            try:
                forms.EmailField().clean(raw)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("Enter an email address like name@example.com, or a mobile number.")
                ) from None
            return {"email": raw.lower(), "phone": ""}
        phone = normalise_phone(raw)
        if not phone:
            raise forms.ValidationError(
                _("Enter an email address like name@example.com, or a mobile number.")
            )
        if not is_mobile(phone):
            raise forms.ValidationError(
                _("We can only send texts to a mobile number (starting 07).")
            )
        return {"email": "", "phone": phone}


class CodeField(forms.CharField):
    """Six digits, with any spaces or dashes people type taken out first, and one plain
    message for anything else (too long, a NUL byte, digits that are not 0-9)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        code = signin.code_clean(value[:100])
        if not code:
            raise forms.ValidationError(_("Enter the 6 numbers from the text, like 123456."))
        return code


class SignInCodeForm(PlainForm):
    """The six-digit code from a sign-in text (makers.signin)."""

    required_messages = {"code": _("Enter the 6-digit code from the text we sent you.")}
    code = CodeField(
        label=_("Your sign-in code"),
        max_length=20,
        help_text=_("6 numbers, like 123456."),
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "class": "input-code",
            }
        ),
    )


class ProgressForm(PlainForm):
    """ "I have finished N of M". `seen` is the number the page showed."""

    finished = forms.IntegerField(
        label=_("How many have you finished?"),
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-number"}),
    )
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, kit, **kwargs):
        super().__init__(*args, **kwargs)
        self.kit = kit
        self.fields["finished"].max_value = kit.garment_count
        self.fields["finished"].help_text = ngettext(
            "This kit has %(count)s garment.", "This kit has %(count)s garments.", kit.garment_count
        ) % {"count": kit.garment_count}
        # Django's own messages for these are about "values"; ours say what it means here.
        self.fields["finished"].error_messages.update(
            {
                "max_value": _(
                    "This kit has %(limit_value)s garments, so you cannot have finished more."
                ),
                "min_value": _("Enter a number from 0 up."),
                "invalid": _("Enter a whole number, like 3."),
                "required": _("Enter how many you have finished."),
            }
        )
        self.initial.setdefault("seen", kit.finished_count)

    def clean_finished(self) -> int:
        finished = self.cleaned_data["finished"]
        if finished > self.kit.garment_count:
            raise forms.ValidationError(
                _("This kit has %(all)s garments, so you cannot have finished %(n)s.")
                % {"all": self.kit.garment_count, "n": finished}
            )
        if finished <= self.kit.finished_count:
            raise forms.ValidationError(
                _("You already told us %(n)s are finished. The number can only go up.")
                % {"n": self.kit.finished_count}
            )
        return finished


DAYS_OFFERED = 14


def _day_choices(*, today, point=None) -> list[tuple[str, str]]:
    """The next two weeks' days; for a point whose hours we know, only the days it is open
    (today only while it has an opening still to come), each with its times."""
    by_hours = point is not None and hours_known(point)
    choices = []
    for offset in range(0, DAYS_OFFERED + 1):
        day = today + timedelta(days=offset)
        label = date_format(day, "l j F")
        if offset == 0:
            label = _("Today, %(day)s") % {"day": label}
        elif offset == 1:
            label = _("Tomorrow, %(day)s") % {"day": label}
        if by_hours:
            openings = open_on(point, day)
            if not openings:
                continue
            times = _(" and ").join(
                _("%(opens)s to %(closes)s")
                % {"opens": f"{o.opens:%H:%M}", "closes": f"{o.closes:%H:%M}"}
                for o in openings
            )
            label = f"{label}, {times}"
        choices.append((day.isoformat(), label))
    return choices


class DayField(forms.TypedChoiceField):
    """A day from the list shown. Which days are right depends on the point chosen beside
    it, so the form checks the day against that point's hours in clean()."""

    def valid_value(self, value) -> bool:
        return True


class ReturnForm(OnceForm, PlainForm):
    """Where and when a maker brings a kit back. The days offered are the chosen point's
    open days (her usual point's, or her plan's, until she chooses another)."""

    where = forms.ChoiceField(label=_("Where will you bring it?"), widget=RadioSelect)
    day = DayField(
        label=_("Which day?"),
        coerce=lambda value: timezone.datetime.fromisoformat(value).date(),
    )

    def __init__(self, *args, maker, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.maker = maker
        self.today = maker.hub.today()
        self.points = {str(p.pk): p for p in points_for_makers(hub=maker.hub, returns=True)}
        choices = [(key, _point_label(point)) for key, point in self.points.items()]
        if maker.needs_doorstep_collection:
            choices.append(("doorstep", _("Please collect it from my door")))
        self.fields["where"].choices = choices
        if plan is not None and (plan.doorstep or str(plan.point_id) in self.points):
            self.initial.setdefault("where", "doorstep" if plan.doorstep else str(plan.point_id))
            self.initial.setdefault("day", plan.day.isoformat())
        elif maker.preferred_point_id and str(maker.preferred_point_id) in self.points:
            self.initial.setdefault("where", str(maker.preferred_point_id))
        where = self.data.get(self.add_prefix("where")) if self.is_bound else None
        point = self.points.get(str(where or self.initial.get("where")))
        self.fields["day"].choices = [
            ("", _("Choose a day")),
            *_day_choices(today=self.today, point=point),
        ]
        self.fields["day"].help_text = (
            _("The days %(point)s is open, with its times.") % {"point": point.name}
            if point is not None and hours_known(point)
            else _("Check the point is open that day.")
        )
        self.fields["where"].error_messages["required"] = _("Choose where you will bring it.")
        self.fields["day"].error_messages["required"] = _("Choose a day.")
        self.fields["day"].error_messages["invalid_choice"] = _(
            "Choose a day in the next %(days)s days."
        ) % {"days": DAYS_OFFERED}

    def clean(self):
        data = super().clean()
        day, where = data.get("day"), data.get("where")
        if day is None:
            return data
        if not self.today <= day <= self.today + timedelta(days=DAYS_OFFERED):
            self.add_error("day", self.fields["day"].error_messages["invalid_choice"])
        elif where in self.points:
            point = self.points[where]
            if hours_known(point) and not open_on(point, day):
                self.add_error("day", closed_day_message(point, day))
        return data

    def place(self) -> dict:
        where = self.cleaned_data["where"]
        if where == "doorstep":
            return {"point": None, "doorstep": True}
        return {"point": self.points[where], "doorstep": False}


# The form offers two weeks; the service must allow as many.
if RETURN_DAYS_AHEAD < DAYS_OFFERED:
    raise ImproperlyConfigured("RETURN_DAYS_AHEAD must allow at least the two weeks offered.")


class GiveBackForm(ReturnForm):
    """ "I can't finish this kit": why, and where and when it comes back."""

    reason = forms.ChoiceField(
        label=_("Why can't you finish it?"),
        choices=ReturnPlan.Reason.choices,
        widget=RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything else we should know? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["reason", "note", "where", "day"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["where"].label = _("Where will you bring the kit back?")
        self.fields["reason"].error_messages["required"] = _("Choose why you can't finish it.")


class ProblemForm(OnceForm, PlainForm):
    required_messages = {"kind": _("Choose what is wrong.")}
    kind = forms.ChoiceField(
        label=_("What is wrong?"), choices=KitProblem.Kind.choices, widget=RadioSelect
    )
    text = forms.CharField(
        label=_("Tell us more"),
        required=False,
        max_length=2000,
        help_text=_("For example: which pieces are missing. Needed if you chose “Something else”."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") == KitProblem.Kind.OTHER and not data.get("text", "").strip():
            self.add_error("text", _("Tell us what is wrong."))
        return data


class DetailsForm(PlainForm):
    required_messages = {
        "name": _("Enter your full name."),
        "postcode": _("Enter your postcode."),
        "preferred_channel": _("Choose how we should contact you."),
        "sets_per_week": _("Enter a number of sets, like 1. A guess is fine."),
    }
    name = forms.CharField(label=_("Your full name"), max_length=200)
    email = forms.EmailField(label=_("Email address"), required=False, max_length=254)
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    postcode = forms.CharField(label=_("Postcode"), max_length=10)
    preferred_channel = forms.ChoiceField(
        label=_("How should we contact you?"),
        choices=Maker.Channel.choices,
        widget=RadioSelect,
    )
    sets_per_week = forms.IntegerField(
        label=_("How many sets could you sew in a week?"),
        min_value=0,
        max_value=50,
        help_text=_("A set is one top and one pair of trousers. A guess is fine."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-number"}),
    )
    preferred_point = PointChoiceField(
        label=_("Your drop-off point"), queryset=None, required=False, empty_label=None
    )
    needs_doorstep_collection = forms.BooleanField(
        label=_("I cannot get to a point: please collect from my door"), required=False
    )

    def __init__(self, *args, maker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_point"].queryset = points_for_makers(hub=maker.hub)
        self.fields["preferred_point"].empty_label = _("No preference")
        if maker.needs_guardian:
            add_guardian_fields(self, name_label=_("Name of your parent or guardian"))

    def clean_postcode(self) -> str:
        return _clean_postcode(self.cleaned_data["postcode"])

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        channel = data.get("preferred_channel")
        email, phone = data.get("email"), data.get("phone")
        if "email" in self.errors or "phone" in self.errors:
            return data
        if not email and not phone:
            self.add_error("email", _("Give an email address or a phone number."))
        elif channel == Maker.Channel.EMAIL and not email:
            self.add_error("email", _("To hear from us by email, give an email address."))
        elif channel in (Maker.Channel.SMS, Maker.Channel.PHONE) and not phone:
            self.add_error("phone", _("To hear from us by phone or text, give a phone number."))
        elif channel == Maker.Channel.SMS and not is_mobile(phone):
            self.add_error("phone", _("Texts need a mobile number (starting 07)."))
        check_guardian_fields(self, data)
        return data


def add_guardian_fields(form, *, name_label) -> None:
    """The parent or guardian's name and contact, on the forms that change a young maker's
    details (theirs, and hub staff's)."""
    form.fields["guardian_name"] = forms.CharField(label=name_label, max_length=200)
    form.fields["guardian_contact"] = forms.CharField(
        label=_("Their phone number or email"),
        max_length=200,
        help_text=_(
            "Until they agree, a new number or email gets a new message asking them, and "
            "the old link stops working."
        ),
    )
    form.fields["guardian_name"].widget.attrs["class"] = "form-control"
    form.fields["guardian_contact"].widget.attrs["class"] = "form-control"
    form.fields["guardian_name"].error_messages["required"] = _(
        "Give the name of the parent or guardian."
    )
    form.fields["guardian_contact"].error_messages["required"] = _(
        "Give the parent or guardian's phone number or email."
    )


def check_guardian_fields(form, data: dict) -> None:
    if "guardian_contact" in form.fields and data.get("guardian_contact"):
        clean_guardian_contact(form, data, missing="")


AWAY_WEEKS = [1, 2, 3, 4, 6, 8, 12]


class AwayForm(PlainForm):
    weeks = forms.TypedChoiceField(
        label=_("How long will you be away?"),
        coerce=int,
        widget=RadioSelect,
        choices=[(n, ngettext("%(n)s week", "%(n)s weeks", n) % {"n": n}) for n in AWAY_WEEKS],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weeks"].error_messages["required"] = _("Choose how long you will be away.")


class ConfirmForm(PlainForm):
    """A tick box that must be ticked: for withdrawing and deleting."""

    confirm = forms.BooleanField(label="")

    def __init__(self, *args, label, required_message, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = label
        self.fields["confirm"].error_messages["required"] = required_message


class GuardianAgreeForm(OnceForm, PlainForm):
    """A parent or guardian agrees, on the page their message's link opens."""

    required_messages = {
        "name": _("Type your full name."),
        "agree": _("Tick the box to say you agree, or press “I do not agree” below."),
    }
    name = forms.CharField(
        label=_("Your full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    agree = forms.BooleanField(label="")

    def __init__(self, *args, maker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agree"].label = _(
            "I am %(child)s's parent or guardian, and I agree that they may sew scrubs for "
            "%(hub)s as this page says."
        ) % {"child": maker.name, "hub": maker.hub.name}


class GuardianRefuseForm(OnceForm, PlainForm):
    """A parent or guardian says no: one button."""


class GroupForm(OnceForm, PlainForm):
    """A group leader registers a group that sews together."""

    required_messages = {
        "group_name": _("Enter the name of the group."),
        "kind": _("Choose what kind of group it is."),
        "member_count": _("Enter how many people will sew."),
        "capacity": _("Enter how many sets a week. A guess is fine."),
        "leader_name": _("Enter your full name."),
        "email": _("Enter your email address, so we can send you a sign-in link."),
        "consent": _("Tick the box to say we may keep these details."),
    }

    group_name = forms.CharField(label=_("Name of the group"), max_length=200)
    kind = forms.ChoiceField(
        label=_("What kind of group is it?"),
        choices=MakerGroup.Kind.choices,
        widget=RadioSelect,
    )
    member_count = forms.IntegerField(
        label=_("How many people will sew?"),
        min_value=1,
        max_value=5000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-number"}),
    )
    capacity = forms.IntegerField(
        label=_("How many sets could the group sew in a week?"),
        min_value=0,
        max_value=10000,
        help_text=_("A set is one top and one pair of trousers. A guess is fine."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-number"}),
    )
    leader_name = forms.CharField(label=_("Your full name (the group leader)"), max_length=200)
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("We send your sign-in link here."),
    )
    phone = forms.CharField(
        label=_("Your phone number (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}),
    )
    consent = forms.BooleanField(
        label=_("I agree that the hub may keep these details to send the group kits."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].help_text = format_html(
            '<a href="{}">{}</a>', reverse("privacy"), _("Read our privacy notice")
        )

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
