"""Forms for points, handovers, doorsteps and runs. They check what a person typed; the rules
live in dropoffs.services."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dropoffs.models import OpeningHours, Point
from dropoffs.selectors import said_finished
from scrubhub.form_fields import DateField
from scrubhub.hubs.models import STAFF_ROLES, Role
from scrubhub.once import OnceForm

NUMBER = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}


class ScanForm(forms.Form):
    code = forms.CharField(
        label=_("Kit code"),
        max_length=40,
        help_text=_("The 7 letters and numbers under the QR code, for example K7Q-4MZ8."),
        error_messages={"required": _("Type the kit's code from its label, or scan its QR code.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class StationForm(forms.Form):
    station = forms.ChoiceField(label=_("Where are you?"))

    def __init__(self, *args, stations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].choices = [
            (s.key, s.name if s.point else _("At the hub: %s") % s.hub.name) for s in stations
        ]


class FindMakerForm(forms.Form):
    q = forms.CharField(
        label=_("Maker's name or phone number"),
        min_length=2,
        max_length=100,
        help_text=_("For someone who has not brought their label. Type at least 2 letters."),
        error_messages={"required": _("Type the maker's name or phone number.")},
    )


def client_key_field(initial=None) -> forms.UUIDField:
    """The handover's own key (see dropoffs.services.handovers._key_check). The page's script puts a
    fresh one in each time the page is shown, so every copy of a page the phone kept for
    no signal records its own handover."""
    return forms.UUIDField(widget=forms.HiddenInput, required=False, initial=initial)


class HandoverForm(forms.Form):
    """One of the kit page's buttons: what happens to the kit here and now."""

    ACTIONS = ["collect", "return", "return_rework", "unfinished", "pick_up", "arrive"]

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    version = forms.CharField(widget=forms.HiddenInput)
    # Without the script the server's key still makes a second tap of one page one handover.
    client_key = client_key_field(initial=uuid.uuid4)
    count = forms.IntegerField(
        label=_("How many garments?"),
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    finished = forms.IntegerField(
        label=_("How many are finished?"),
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("The rest go back to the hub as unsewn pieces."),
    )

    def __init__(self, *args, most: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.most = most
        if most is not None:
            for name in ("count", "finished"):
                self.fields[name].widget.attrs["max"] = most

    def clean(self):
        data = super().clean()
        action = data.get("action")
        field = "finished" if action == "unfinished" else "count"
        value = data.get(field)
        if field in self.errors or action == "collect":
            return data
        if value is None:
            if action == "unfinished":
                self.add_error(field, _("Say how many are finished. It can be 0."))
            else:
                self.add_error(field, _("Say how many garments, at least 1."))
        elif self.most is not None and value > self.most:
            self.add_error(
                field,
                _("That is more than there are: %(most)s at most.") % {"most": self.most},
            )
        return data


class HandInManyForm(OnceForm, forms.Form):
    """A count for each of one maker's or group's kits. One-time: the counts carry no
    version, so a second tap would otherwise take the same garments in twice. With the
    page's script the handover's own client_key does that instead of the page's token (see
    _post_clean)."""

    client_key = client_key_field()

    def __init__(self, *args, kits, others=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kits = [*kits, *others]
        for kit in others:
            # Nothing of these is at home now, but a page drawn before they came in (one a
            # phone kept with no signal) may still count some: the service says what
            # happened to them rather than the count being dropped.
            self.fields[f"kit_{kit.pk}"] = forms.IntegerField(
                min_value=0, initial=0, required=False, widget=forms.HiddenInput
            )
        for kit in kits:
            most = kit.qty_with_maker
            self.fields[f"kit_{kit.pk}"] = forms.IntegerField(
                label=_("Kit %(code)s: finished garments handed in (up to %(most)s)")
                % {"code": kit.display_code, "most": most},
                min_value=0,
                max_value=most,
                initial=0,
                required=False,
                widget=forms.NumberInput(attrs=NUMBER),
            )

    def kit_counts(self) -> list[tuple]:
        return [(kit, self.cleaned_data.get(f"kit_{kit.pk}") or 0) for kit in self.kits]

    def clean(self):
        data = super().clean()
        gone = [
            name
            for name, value in self.data.items()
            if re.fullmatch(r"kit_[0-9]{1,12}", name)
            and name not in self.fields
            and value not in ("", "0")
        ]
        if gone:
            # Sent from a page drawn before those kits were closed (a phone that kept it
            # while it had no signal): taking in only the rest would lose the count.
            raise forms.ValidationError(
                _(
                    "Some of these kits were closed since this page was opened, so nothing "
                    "was recorded. Open the page again and count what is left."
                )
            )
        if not self.errors and not any(count for _kit, count in self.kit_counts()):
            raise forms.ValidationError(_("Put a number of garments against at least one kit."))
        return data

    def _post_clean(self):
        if self.cleaned_data.get("client_key") is None:
            super()._post_clean()  # no script: the page's one-time token
            return
        # The phone's key stands in for the page's token: one the outbox kept for a day
        # without signal is still sent once, and two copies of the page are two handovers.
        super(OnceForm, self)._post_clean()


class DoorstepForm(forms.Form):
    address = forms.CharField(
        label=_("Address"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        help_text=_("The house or flat the driver should come to."),
        error_messages={"required": _("Enter the address the driver should come to.")},
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
        error_messages={"required": _("Enter the postcode.")},
    )
    access_notes = forms.CharField(
        label=_("Anything the driver should know (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example: use the side door, ring twice."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the hub keeps this address only to bring kits and collect scrubs, "
            "and that the driver sees it only on the day of a visit."
        ),
        error_messages={"required": _("Tick the box to agree, or we cannot keep the address.")},
    )


class StaffDoorstepForm(DoorstepForm):
    latitude = forms.DecimalField(
        label=_("Latitude (optional)"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Longitude (optional)"),
        max_digits=9,
        decimal_places=6,
        required=False,
        min_value=-180,
        max_value=180,
        help_text=_("With a position, the run sheet can put this doorstep in the best order."),
    )
    consent = forms.BooleanField(
        label=_(
            "The maker agreed, on the phone or in person, that we keep this address only "
            "for doorstep visits."
        ),
        error_messages={"required": _("We can only keep the address if the maker agreed.")},
    )

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return data


class PointForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        error_messages={"required": _("Enter the point's name, as people know it.")},
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Enter the point's address.")},
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        error_messages={"required": _("Enter the point's postcode.")},
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=40,
        required=False,
        help_text=_("The place's own number, for drivers and the hub. It goes on the run sheet."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        help_text=_("Click the map to fill this in, or type it, for example 56.4620."),
        error_messages={"required": _("Click the map, or type the latitude.")},
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        help_text=_("For example -2.9707."),
        error_messages={"required": _("Click the map, or type the longitude.")},
    )
    opening_hours = forms.CharField(
        label=_("Opening hours in words"),
        max_length=300,
        required=False,
        help_text=_("What people read, for example: Mon–Fri 10:00–16:00, Sat 10:00–12:00."),
    )
    accepts_kit_collection = forms.BooleanField(
        label=_("Makers can collect kits here"), required=False, initial=True
    )
    accepts_finished_garments = forms.BooleanField(
        label=_("Makers can hand in finished scrubs here"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in OpeningHours.Weekday.choices:
            self.fields[f"opens_{value}"] = forms.TimeField(
                label=_("%s opens") % label,
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"closes_{value}"] = forms.TimeField(
                label=_("%s closes") % label,
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    def day_fields(self):
        return [
            (label, self[f"opens_{value}"], self[f"closes_{value}"])
            for value, label in OpeningHours.Weekday.choices
        ]

    def detail_fields(self):
        return [self[name] for name in ("name", "address", "postcode", "phone")]

    def clean(self):
        data = super().clean()
        for value, label in OpeningHours.Weekday.choices:
            opens, closes = data.get(f"opens_{value}"), data.get(f"closes_{value}")
            if (opens is None) != (closes is None):
                self.add_error(
                    f"closes_{value}" if closes is None else f"opens_{value}",
                    _("Give both times for %s, or neither.") % label,
                )
            elif opens is not None and closes <= opens:
                self.add_error(f"closes_{value}", _("The point must close after it opens."))
        return data

    def hours(self) -> list[tuple]:
        return [
            (value, self.cleaned_data[f"opens_{value}"], self.cleaned_data[f"closes_{value}"])
            for value, _label in OpeningHours.Weekday.choices
            if self.cleaned_data.get(f"opens_{value}") is not None
        ]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "address": data["address"],
            "postcode": data["postcode"],
            "phone": data["phone"],
            "latitude": Decimal(data["latitude"]),
            "longitude": Decimal(data["longitude"]),
            "opening_hours": data["opening_hours"],
            "accepts_kit_collection": data["accepts_kit_collection"],
            "accepts_finished_garments": data["accepts_finished_garments"],
            "hours": self.hours(),
        }

    @classmethod
    def initial_for(cls, point: Point) -> dict:
        initial = {
            "name": point.name,
            "address": point.address,
            "postcode": point.postcode,
            "phone": point.phone,
            "latitude": point.latitude,
            "longitude": point.longitude,
            "opening_hours": point.opening_hours,
            "accepts_kit_collection": point.accepts_kit_collection,
            "accepts_finished_garments": point.accepts_finished_garments,
        }
        for slot in point.hours.all():
            initial.setdefault(f"opens_{slot.weekday}", slot.opens)
            initial.setdefault(f"closes_{slot.weekday}", slot.closes)
        return initial


class NewPointForm(OnceForm, PointForm):
    """Adding a point: sent twice, it adds one (changing a point twice changes it once
    anyway, so the edit form has no token)."""


class RunPlanForm(OnceForm, forms.Form):
    driver = forms.ModelChoiceField(
        label=_("Driver"),
        queryset=get_user_model().objects.none(),
        error_messages={"required": _("Choose who drives the run.")},
    )
    day = DateField(
        label=_("Day"),
        error_messages={"required": _("Choose the day of the run.")},
    )
    points = forms.MultipleChoiceField(
        label=_("Points to visit"), required=False, widget=forms.CheckboxSelectMultiple
    )
    makers = forms.MultipleChoiceField(
        label=_("Doorsteps to visit"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note for the driver (optional)"), required=False, max_length=500
    )

    def __init__(self, *args, hub, points, doorsteps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["driver"].queryset = (
            get_user_model()
            .objects.filter(memberships__hub=hub, memberships__role__in=[Role.DRIVER, *STAFF_ROLES])
            .distinct()
            .order_by("first_name", "username")
        )
        self.fields["driver"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["day"].initial = timezone.localdate()
        self.point_rows = {str(p.pk): p for p in points}
        self.doorstep_rows = {str(d.maker_id): d for d in doorsteps}
        self.fields["points"].choices = [
            (
                key,
                _("%(name)s: %(held)s finished garments, %(kits)s kits waiting")
                % {"name": p.name, "held": p.garments_held, "kits": p.kits_waiting},
            )
            for key, p in self.point_rows.items()
        ]
        self.fields["makers"].choices = [
            (
                key,
                _("%(name)s, %(postcode)s: %(bring)s kits to bring, %(home)s being sewn")
                % {
                    "name": d.maker.name,
                    "postcode": d.postcode,
                    "bring": d.kits_to_bring,
                    "home": d.kits_at_home,
                },
            )
            for key, d in self.doorstep_rows.items()
        ]

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("points") and not data.get("makers"):
            raise forms.ValidationError(_("Choose at least one point or doorstep to visit."))
        if data.get("day") and data["day"] < timezone.localdate():
            self.add_error("day", _("Choose today or a day to come."))
        return data

    def chosen_points(self):
        return [self.point_rows[k] for k in self.cleaned_data.get("points", [])]

    def chosen_makers(self):
        return [self.doorstep_rows[k].maker for k in self.cleaned_data.get("makers", [])]


class RunStopForm(forms.Form):
    """What the driver picked up and left at one stop."""

    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=300)

    def __init__(self, *args, sheet_stop, **kwargs):
        super().__init__(*args, **kwargs)
        stop = sheet_stop.stop
        self.pick_keys, self.drop_keys = [], []
        for item in sheet_stop.pick_ups:
            kit = item.kit if stop.point_id else item
            if stop.point_id:
                most, initial = item.count, item.count
                label = _("Kit %(code)s: garments picked up (%(most)s waiting)")
            else:
                most, initial = kit.qty_with_maker, said_finished(kit)
                label = _("Kit %(code)s: finished garments taken (up to %(most)s)")
            key = f"pick_{kit.pk}"
            self.fields[key] = forms.IntegerField(
                label=label % {"code": kit.display_code, "most": most},
                min_value=0,
                max_value=most,
                initial=initial,
                required=False,
                widget=forms.NumberInput(attrs=NUMBER),
            )
            self.pick_keys.append((key, kit.pk))
        for drop in sheet_stop.drops:
            key = f"drop_{drop.kit_id}"
            self.fields[key] = forms.BooleanField(
                label=_("Left kit %(code)s (%(type)s, size %(size)s)")
                % {
                    "code": drop.kit.display_code,
                    "type": drop.kit.get_garment_type_display().lower(),
                    "size": drop.kit.size,
                },
                required=False,
                initial=True,
            )
            self.drop_keys.append((key, drop.kit_id))
        self.order_fields([k for k, _ in self.pick_keys] + [k for k, _ in self.drop_keys])

    def pick_up(self) -> dict[int, int]:
        return {kit_id: self.cleaned_data.get(key) or 0 for key, kit_id in self.pick_keys}

    def dropped(self) -> list[int]:
        return [kit_id for key, kit_id in self.drop_keys if self.cleaned_data.get(key)]


class SkipStopForm(forms.Form):
    reason = forms.CharField(
        label=_("Why was the stop missed?"),
        max_length=300,
        help_text=_("For example: nobody was in, or the point was shut."),
        error_messages={"required": _("Say why the stop was missed.")},
    )
