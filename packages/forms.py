"""Forms for the laundry's pages and the hub's delivery pages. They check what a person
typed; the rules themselves live in the services."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from packages.codes import normalise_kit_code
from packages.models import GARMENT_PLURALS, DemandLine, GarmentType, Size, WashFailure
from packages.services import DEMAND_MAX_PER_SIZE, THANK_YOU_NOTE_MAX
from scrubhub.form_fields import DateField
from scrubhub.once import OnceForm
from scrubhub.query import QueryForm

NOT_NEGATIVE = _("Enter 0 or more.")
AT_LEAST_ONE = _("Enter 1 or more.")
WHOLE_NUMBER = _("Enter a whole number, like 12.")


def count_field(*, label, required=False, min_value=0, max_value=None, help_text="", **kw):
    """A box for a number of garments: a phone's number pad, messages in plain words."""
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=min_value,
        max_value=max_value,
        help_text=help_text,
        error_messages={
            "min_value": AT_LEAST_ONE if min_value else NOT_NEGATIVE,
            "max_value": _("That number is too big. Please check it."),
            "invalid": WHOLE_NUMBER,
            "required": _("Enter a number."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": min_value}),
        **kw,
    )


def _not_in_the_past(value):
    if value is not None and value < timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the past."))
    return value


PRIORITY_CHOICES = [
    (DemandLine.Priority.URGENT, _("Urgent: we are running short now")),
    (DemandLine.Priority.NORMAL, _("Normal")),
]


class SizeRunForm(OnceForm, forms.Form):
    """A whole size run in one go: one box per size."""

    GARMENTS = [
        ("sets", _("Sets (a top and trousers)")),
        (GarmentType.TOP, _("Tops only")),
        (GarmentType.TROUSERS, _("Trousers only")),
    ]
    garments = forms.ChoiceField(
        label=_("What do you need?"),
        choices=GARMENTS,
        initial="sets",
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose sets, tops or trousers.")},
    )
    priority = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=PRIORITY_CHOICES,
        initial=DemandLine.Priority.NORMAL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how urgent this is.")},
    )
    needed_by = DateField(
        label=_("Needed by (optional)"),
        required=False,
        help_text=_("Leave empty if there is no date."),
    )
    requirements = forms.CharField(
        label=_("Anything they must have? (optional)"),
        required=False,
        max_length=1000,
        help_text=_("For example: navy or teal, ties not elastic."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for size in Size.values:
            self.fields[f"size_{size}"] = count_field(
                label=_("Size %(size)s") % {"size": size}, max_value=DEMAND_MAX_PER_SIZE
            )

    sizes_missing = False

    def size_fields(self):
        return [self[f"size_{size}"] for size in Size.values]

    def clean_needed_by(self):
        return _not_in_the_past(self.cleaned_data.get("needed_by"))

    def clean(self):
        cleaned = super().clean()
        sizes = [f"size_{size}" for size in Size.values]
        if not any(name in self.errors for name in sizes) and not any(
            cleaned.get(name) for name in sizes
        ):
            self.sizes_missing = True
            raise forms.ValidationError(_("Enter how many you need of at least one size."))
        return cleaned

    def quantities(self) -> dict[str, int]:
        return {size: self.cleaned_data.get(f"size_{size}") or 0 for size in Size.values}

    def garment_types(self) -> list[str]:
        chosen = self.cleaned_data["garments"]
        return list(GarmentType.values) if chosen == "sets" else [chosen]


class DemandChangeForm(forms.Form):
    quantity = count_field(label=_("How many"), required=True, min_value=1)
    priority = forms.ChoiceField(
        label=_("How urgent is it?"),
        choices=PRIORITY_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how urgent it is.")},
    )
    needed_by = DateField(label=_("Needed by (optional)"), required=False)
    requirements = forms.CharField(
        label=_("Anything they must have? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(
        label=_("Why are you changing it? (optional)"),
        required=False,
        max_length=300,
    )

    def __init__(self, *args, line: DemandLine, **kwargs):
        initial = {
            "quantity": line.quantity,
            "priority": line.priority,
            "needed_by": line.needed_by,
            "requirements": line.requirements,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.line = line
        self.fields["quantity"].max_value = DEMAND_MAX_PER_SIZE
        if line.priority not in dict(PRIORITY_CHOICES):
            # Keep a priority set elsewhere (high, low) choosable, so saving keeps it.
            self.fields["priority"].choices = [
                *PRIORITY_CHOICES,
                (line.priority, line.get_priority_display()),
            ]

    def clean_needed_by(self):
        value = self.cleaned_data.get("needed_by")
        return value if value == self.line.needed_by else _not_in_the_past(value)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Why? (optional)"), required=False, max_length=300)


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("How was it sorted out?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please say how it was sorted out.")},
    )


class WashFailureLookForm(forms.Form):
    note = forms.CharField(
        label=_("What did you find or do? (optional)"),
        help_text=_("For example: spoke to the maker about the seams."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CirculationForm(OnceForm, forms.Form):
    """Each count is kept as history: sent twice, it is kept once."""

    sets = count_field(
        label=_("Sets of scrubs in use now"),
        required=True,
        max_value=1_000_000,
        help_text=_("Count every set the laundry has, in use or in the wash."),
    )


class QualityRequirementForm(forms.Form):
    title = forms.CharField(
        label=_("What must every garment have?"),
        max_length=120,
        help_text=_("Short, for example: 1 cm seam allowance."),
        error_messages={"required": _("Give the requirement a short name.")},
    )
    garment_type = forms.ChoiceField(
        label=_("Which garments?"),
        choices=[("", _("Tops and trousers")), *GarmentType.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    detail = forms.CharField(
        label=_("More detail for the makers (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def requirement(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("title", "garment_type", "detail")}


class NewQualityRequirementForm(OnceForm, QualityRequirementForm):
    """Adding a requirement: saved once however often it is sent."""


class ConfirmDeliveryForm(forms.Form):
    """One box per line of the delivery: how many arrived."""

    discrepancy_note = forms.CharField(
        label=_("If the numbers are different, what happened?"),
        required=False,
        max_length=1000,
        help_text=_("For example: 3 tops missing from the box."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    thank_you_note = forms.CharField(
        label=_("A thank-you to the makers (optional)"),
        required=False,
        max_length=THANK_YOU_NOTE_MAX,
        help_text=_("We pass it on to everyone who sewed these. Please do not add names."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        # The boxes start empty and do not say what was sent: a number typed in is one
        # somebody counted, not the delivery note confirmed with one tap.
        for line in lines:
            what = {"garment": line.get_garment_type_display(), "size": line.size}
            field = count_field(
                label=_("%(garment)s, size %(size)s: how many arrived?") % what,
                required=True,
                max_value=100_000,
            )
            field.error_messages["required"] = _(
                "Count the %(garments)s in size %(size)s and enter how many arrived (0 if none)."
            ) % {"garments": GARMENT_PLURALS[line.garment_type], "size": line.size}
            self.fields[f"line_{line.pk}"] = field
        # The counts first, then the notes.
        self.order_fields([f"line_{line.pk}" for line in lines])

    def clean(self):
        cleaned = super().clean()
        counts = self.received()
        differs = len(counts) == len(self.lines) and any(
            counts[line.pk] != line.count_sent for line in self.lines
        )
        if differs and not cleaned.get("discrepancy_note", "").strip():
            self.add_error(
                "discrepancy_note",
                _("What arrived is different from what was sent. Please say what happened."),
            )
        return cleaned

    def received(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data[f"line_{line.pk}"]
            for line in self.lines
            if self.cleaned_data.get(f"line_{line.pk}") is not None
        }


class WashFailureForm(OnceForm, forms.Form):
    """Which garments failed and why. The kit can be picked from the ones in the delivery
    (code, garment and size: the laundry never sees who sewed it) or typed off the label."""

    line = forms.ChoiceField(
        label=_("Which garments?"),
        widget=forms.RadioSelect,
        required=False,
    )
    kit = forms.ChoiceField(
        label=_("Which kit were they from? (optional)"),
        required=False,
        help_text=_("The kit code is on the label sewn into each garment."),
    )
    kit_code = forms.CharField(
        label=_("Not in the list? Type the kit code from the label (optional)"),
        required=False,
        max_length=20,
        help_text=_("It looks like 7KQ-2M4P."),
    )
    count = count_field(label=_("How many failed?"), required=True, min_value=1)
    reason = forms.ChoiceField(
        label=_("What went wrong?"),
        choices=WashFailure.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what went wrong.")},
    )
    note = forms.CharField(
        label=_("Tell us more (needed if you chose 'Something else')"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, lines, kits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {str(line.pk): line for line in lines}
        self.kits = {kit.code: kit for kit in kits if str(kit.line_id) in self.lines}
        self.fields["line"].choices = [
            (
                str(line.pk),
                _("%(garment)s, size %(size)s (%(arrived)s arrived)")
                % {
                    "garment": line.get_garment_type_display(),
                    "size": line.size,
                    "arrived": line.count_received,
                },
            )
            for line in lines
        ]
        if len(lines) == 1:
            self.fields["line"].initial = str(lines[0].pk)
        if self.kits:
            self.fields["kit"].choices = [("", _("I don't know, or it is not here"))] + [
                (
                    kit.code,
                    _("%(code)s: %(garment)s, size %(size)s")
                    % {"code": kit.display_code, "garment": kit.garment, "size": kit.size},
                )
                for kit in self.kits.values()
            ]
        else:
            # Nothing to pick from (garments packed before kits were traced): type it.
            del self.fields["kit"]
            self.fields["kit_code"].label = _("Kit code on the label (optional)")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reason") == WashFailure.Reason.OTHER
            and not cleaned.get("note", "").strip()
        ):
            self.add_error("note", _("Please say what went wrong."))
        picked = cleaned.get("kit") or ""
        typed = cleaned.get("kit_code", "").strip()
        code = picked
        if typed:
            normal = normalise_kit_code(typed)
            if picked and normal != picked:
                self.add_error(
                    "kit_code",
                    _(
                        "You picked kit %(code)s from the list. Leave this box empty, or pick "
                        "“I don't know” above."
                    )
                    % {"code": self.kits[picked].display_code},
                )
                return cleaned
            if normal not in self.kits and self.kits:
                self.add_error(
                    "kit_code",
                    _(
                        "That kit code was not in this delivery. Check the label, or leave the "
                        "box empty."
                    ),
                )
                return cleaned
            code = normal if normal in self.kits else ""
        kit = self.kits.get(code)
        line = cleaned.get("line")
        if not line and kit is None:
            if "line" not in self.errors:
                self.add_error("line", _("Choose which garments failed."))
        elif line and kit is not None and str(kit.line_id) != line:
            self.add_error(
                "kit_code" if typed else "kit",
                _(
                    "Kit %(code)s was %(garment)s, size %(size)s. Choose those garments above, "
                    "or another kit."
                )
                % {"code": kit.display_code, "garment": kit.garment.lower(), "size": kit.size},
            )
        elif not line:
            cleaned["line"] = str(kit.line_id)
        if kit is not None:
            cleaned["kit_code"] = kit.code
        return cleaned

    def chosen_line(self):
        return self.lines[self.cleaned_data["line"]]


class NewDeliveryForm(OnceForm, forms.Form):
    hospital = forms.ModelChoiceField(
        label=_("Which hospital is it for?"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the hospital.")},
    )

    def __init__(self, *args, hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hospital"].queryset = hub.hospitals.order_by("name")


class PackForm(OnceForm, forms.Form):
    """One box per garment and size the hub could pack. Sent twice, it packs once: a
    second packing would add the same garments again while any are free."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[f"count_{row.key}"] = count_field(
                label=_("%(garment)s, size %(size)s")
                % {"garment": row.garment_label, "size": row.size},
                max_value=100_000,
                initial=row.suggested,
                help_text=_("%(ready)s ready to pack.") % {"ready": row.ready},
            )

    def row_fields(self):
        return [(row, self[f"count_{row.key}"]) for row in self.rows]

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(f"count_{row.key}") for row in self.rows):
            raise forms.ValidationError(_("Enter how many garments to pack for at least one size."))
        return cleaned

    def counts(self) -> dict[tuple[str, str], int]:
        return {
            (row.garment_type, row.size): self.cleaned_data.get(f"count_{row.key}") or 0
            for row in self.rows
        }


# --- Reports and downloads -------------------------------------------------------------------

# Dates outside these are typing mistakes (or junk in the address): left out, never an
# error, and never so far out that a time zone's offset runs off the calendar.
REPORT_FIRST_DAY = date(2000, 1, 1)
REPORT_LAST_DAY = date(2100, 12, 31)


def _report_day(label):
    return forms.DateField(
        label=label,
        required=False,
        validators=[MinValueValidator(REPORT_FIRST_DAY), MaxValueValidator(REPORT_LAST_DAY)],
    )


class ReportQuery(QueryForm):
    """The dates a report or a download covers (`start`, `end`, both optional)."""

    start = _report_day(_("From"))
    end = _report_day(_("To"))

    @classmethod
    def dates(cls, request):
        from packages.reports import DateRange

        values = cls.read(request)
        return DateRange.of(values["start"], values["end"])
