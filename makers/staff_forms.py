"""Forms for the hub staff's volunteer pages. They check what was typed and say what is
wrong in plain words; the rules live in makers.services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from makers.forms import (
    EXPERIENCE,
    YES_NO,
    PlainForm,
    PointChoiceField,
    RadioSelect,
    _clean_phone,
    _clean_postcode,
    add_guardian_fields,
    check_guardian_fields,
    clean_guardian_contact,
)
from makers.models import Maker
from makers.staff_selectors import MakerFilters
from scrubhub.form_fields import DateField
from scrubhub.once import OnceForm
from scrubhub.query import QueryForm, SearchField

ANY = [("", _("Any"))]
STAFF_AGE_BANDS = [
    (Maker.AgeBand.UNDER_18, _("16 or 17")),
    (Maker.AgeBand.ADULT, _("18 to 69")),
    (Maker.AgeBand.OVER_70, _("70 or over")),
]
ROSTER_STATUSES = [
    ("", _("Everyone the hub works with now")),
    *Maker.Status.choices[:-1],  # never "erased": there is nothing left to show
    ("all", _("Everyone, including people who left")),
]


def _points(hub):
    from dropoffs.models import Point

    return Point.objects.filter(hub=hub).order_by("name")


class RosterFilterForm(PlainForm):
    """Search and filters above the roster (GET). Bad values are ignored, not errors."""

    q = forms.CharField(
        label=_("Name, postcode or phone number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "spellcheck": "false"}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ROSTER_STATUSES, required=False)
    age_band = forms.ChoiceField(label=_("Age"), choices=ANY + STAFF_AGE_BANDS, required=False)
    experience = forms.ChoiceField(
        label=_("Sewing experience"), choices=ANY + Maker.Experience.choices, required=False
    )
    point = forms.TypedChoiceField(
        label=_("Drop-off point they prefer"), coerce=int, empty_value=None, required=False
    )
    min_sets = forms.IntegerField(
        label=_("Can sew at least this many sets a week"),
        required=False,
        min_value=0,
        max_value=50,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-number"}),
    )
    free_capacity = forms.BooleanField(
        label=_("Only makers with room for another kit now"), required=False
    )
    guardian = forms.BooleanField(
        label=_("Only makers aged 16 or 17 whose parent or guardian has not agreed"),
        required=False,
    )

    def __init__(self, *args, hub, **kwargs):
        super().__init__(*args, **kwargs)
        # Pairs, not Point objects: a big hub has hundreds of points, and building a model
        # instance for each option was a tenth of the roster's time.
        self.fields["point"].choices = ANY + list(_points(hub).values_list("pk", "name"))

    def filters(self) -> MakerFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return MakerFilters(
            q=data.get("q", ""),
            status=data.get("status", ""),
            age_band=data.get("age_band", ""),
            experience=data.get("experience", ""),
            point=data.get("point"),
            min_sets=data.get("min_sets"),
            free_capacity=bool(data.get("free_capacity")),
            waiting_for_guardian=bool(data.get("guardian")),
        )


class ApplicantFilterForm(RosterFilterForm):
    joined_since = DateField(
        label=_("Joined on or after"),
        required=False,
    )

    def __init__(self, *args, hub, **kwargs):
        super().__init__(*args, hub=hub, **kwargs)
        for name in ("status", "min_sets", "free_capacity"):
            del self.fields[name]

    def filters(self) -> MakerFilters:
        found = super().filters()
        found.joined_since = self.cleaned_data.get("joined_since") if self.is_valid() else None
        return found


class DecideForm(forms.Form):
    """Approve or decline the ticked applicants, or everyone the filter shows."""

    DECISIONS = [("approve", _("Approve")), ("decline", _("Decline"))]
    decision = forms.ChoiceField(choices=DECISIONS)
    makers = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    scope = forms.ChoiceField(
        choices=[("ticked", "ticked"), ("matching", "matching"), ("one", "one")],
        required=False,
    )
    expected = forms.IntegerField(required=False, min_value=0)
    reason = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["makers"].choices = [(pk, pk) for pk in choices]


class SignUpQuestions(PlainForm):
    """One person signed up by hub staff: phone only, as they told us on the phone."""

    required_messages = {
        "name": _("Enter their full name."),
        "phone": _("Enter their phone number."),
        "postcode": _("Enter their postcode."),
        "age_band": _("Choose how old they are."),
        "experience": _("Choose how much they have sewn before."),
        "has_sewing_machine": _("Say whether they have a sewing machine."),
        "agreed": _("Tick the box to say they agreed. Without it we cannot keep their details."),
        "sets_per_week": _("Enter how many sets a week. A guess is fine."),
    }

    name = forms.CharField(label=_("Their full name"), max_length=200)
    phone = forms.CharField(
        label=_("Their phone number"),
        max_length=40,
        help_text=_("A mobile number lets the hub send them texts."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
    )
    postcode = forms.CharField(
        label=_("Their postcode"),
        max_length=10,
        widget=forms.TextInput(attrs={"class": "input-postcode"}),
    )
    age_band = forms.ChoiceField(
        label=_("How old are they?"), choices=STAFF_AGE_BANDS, widget=RadioSelect
    )
    guardian_name = forms.CharField(
        label=_("Name of their parent or guardian"), required=False, max_length=200
    )
    guardian_contact = forms.CharField(
        label=_("Parent or guardian's phone number or email"), required=False, max_length=200
    )
    experience = forms.ChoiceField(
        label=_("How much have they sewn before?"), choices=EXPERIENCE, widget=RadioSelect
    )
    has_sewing_machine = forms.ChoiceField(
        label=_("Do they have a sewing machine?"), choices=YES_NO, widget=RadioSelect
    )
    sets_per_week = forms.IntegerField(
        label=_("Sets a week they think they can sew"),
        min_value=0,
        max_value=50,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-number"}),
    )
    preferred_point = PointChoiceField(
        label=_("Drop-off point that suits them best"), queryset=None, required=False
    )
    needs_doorstep_collection = forms.BooleanField(
        label=_("They cannot get to a point: a driver should come to their door"),
        required=False,
    )
    agreed = forms.BooleanField(
        label=_(
            "I read them the privacy notice and they agreed that the hub may keep their "
            "details, to send them kits and to contact them about them."
        )
    )
    approve = forms.BooleanField(
        label=_("Approve them now, so they can have a kit"), required=False
    )

    def __init__(self, *args, hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_point"].queryset = _points(hub).filter(status="active")

    def clean_postcode(self) -> str:
        return _clean_postcode(self.cleaned_data["postcode"])

    def clean_phone(self) -> str:
        phone = _clean_phone(self.cleaned_data["phone"])
        if not phone:
            raise forms.ValidationError(_("Enter their phone number."))
        return phone

    def clean(self):
        data = super().clean()
        if data.get("age_band") == Maker.AgeBand.UNDER_18:
            if not data.get("guardian_name", "").strip():
                self.add_error("guardian_name", _("Give the name of their parent or guardian."))
            clean_guardian_contact(
                self, data, missing=_("Give their parent or guardian's phone number or email.")
            )
        return data

    def service_kwargs(self, *, consent_version: str) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "phone": data["phone"],
            "postcode": data["postcode"],
            "age_band": data["age_band"],
            "guardian_name": data.get("guardian_name", ""),
            "guardian_contact": data.get("guardian_contact", ""),
            "experience": data["experience"],
            "has_sewing_machine": data["has_sewing_machine"] == "yes",
            "sets_per_week": data["sets_per_week"],
            "preferred_point": data.get("preferred_point"),
            "needs_doorstep_collection": data.get("needs_doorstep_collection", False),
            "approve": data.get("approve", False),
            "consent_version": consent_version,
        }


class SignUpForm(OnceForm, SignUpQuestions):
    """Signing up one person, saved once however often it is sent."""


class PaperFormsToken(OnceForm, forms.Form):
    """The paper-forms sheet's one-time token: one for the sheet, not one a row."""


class PaperFormRow(SignUpQuestions):
    """One row of the paper-forms table: the same questions, as compact inputs."""

    def __init__(self, *args, hub, **kwargs):
        super().__init__(*args, hub=hub, **kwargs)
        for name in ("age_band", "experience", "has_sewing_machine"):
            field = self.fields[name]
            field.widget = forms.Select(
                choices=[("", "—"), *field.choices], attrs={"class": "form-select"}
            )
        del self.fields["needs_doorstep_collection"]
        self.fields["agreed"].label = _("Signed the privacy box")
        self.fields["approve"].label = _("Approve now")
        self.fields["phone"].help_text = ""
        self.fields["preferred_point"].widget.attrs["class"] = "form-select"

    def has_changed(self) -> bool:
        # A row with nothing typed in it is an empty row, whatever the defaults are.
        typed = ("name", "phone", "postcode", "guardian_name", "guardian_contact")
        return any(self.data.get(self.add_prefix(name), "").strip() for name in typed)


MAX_PAPER_ROWS = 40


def paper_formset(rows: int = 1):
    """A formset of `rows` empty rows (the first must be filled, the rest may stay empty)."""
    return formset_factory(
        PaperFormRow,
        extra=max(rows - 1, 0),
        min_num=1,
        max_num=MAX_PAPER_ROWS,
        absolute_max=MAX_PAPER_ROWS,
        validate_max=True,
    )


class MakerChangeForm(PlainForm):
    """Hub staff change a maker's details for them."""

    required_messages = {
        "name": _("Enter their full name."),
        "postcode": _("Enter their postcode."),
        "sets_per_week": _("Enter how many sets a week. A guess is fine."),
    }

    name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email address"), required=False, max_length=254)
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        widget=forms.TextInput(attrs={"class": "input-postcode"}),
    )
    preferred_channel = forms.ChoiceField(
        label=_("How they like to hear from the hub"),
        choices=Maker.Channel.choices,
        widget=RadioSelect,
        error_messages={"required": _("Choose how they like to hear from the hub.")},
    )
    experience = forms.ChoiceField(
        label=_("Sewing experience"),
        choices=Maker.Experience.choices,
        widget=RadioSelect,
        error_messages={"required": _("Choose how much they have sewn.")},
    )
    sets_per_week = forms.IntegerField(
        label=_("Sets a week they can sew"),
        min_value=0,
        max_value=50,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-number"}),
    )
    preferred_point = PointChoiceField(
        label=_("Drop-off point that suits them best"), queryset=None, required=False
    )
    needs_doorstep_collection = forms.BooleanField(
        label=_("A driver collects from their door"), required=False
    )

    def __init__(self, *args, hub, maker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_point"].queryset = _points(hub).filter(status="active")
        if maker is not None and maker.needs_guardian:
            add_guardian_fields(self, name_label=_("Name of their parent or guardian"))

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
            self.add_error("phone", _("Give a phone number or an email address."))
        check_guardian_fields(self, data)
        return data


class GuardianAskForm(OnceForm, forms.Form):
    """Staff's "Send the guardian's message again": one press, one message."""


class StatusForm(forms.Form):
    ACTIONS = [
        ("approve", _("Approve")),
        ("decline", _("Decline")),
        ("pause", _("Pause")),
        ("resume", _("Resume")),
        ("withdraw", _("Mark as stopped")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)


class StaffProgressForm(PlainForm):
    """Staff log progress for a maker who told them on the phone."""

    finished = forms.IntegerField(
        label=_("Garments finished so far"),
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-number"}),
        error_messages={
            "invalid": _("Enter a whole number, like 3."),
            "required": _("Enter how many are finished."),
            "min_value": _("Enter a number from 0 up."),
        },
    )
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, kit, **kwargs):
        kwargs.setdefault("prefix", f"kit{kit.pk}")
        super().__init__(*args, **kwargs)
        self.kit = kit
        self.fields["finished"].label = _("Garments of kit %(code)s finished so far") % {
            "code": kit.display_code
        }
        self.initial.setdefault("seen", kit.finished_count)
        self.initial.setdefault("finished", kit.finished_count)


class AnswerForm(PlainForm):
    required_messages = {"answer": _("Write your answer to the maker.")}
    answer = forms.CharField(
        label=_("Your answer to the maker"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("It goes to them by their usual way: email, text or a phone call."),
    )


class ConfirmForm(PlainForm):
    required_messages = {"confirm": _("Tick the box to say you are sure.")}
    confirm = forms.BooleanField(label=_("Yes, I am sure"))


class MergeForm(PlainForm):
    required_messages = {
        "keep": _("Choose whose details to keep."),
        "confirm": _("Tick the box to say they are the same person."),
    }
    keep = forms.ChoiceField(
        label=_("Whose details should the merged record keep?"), widget=RadioSelect
    )
    confirm = forms.BooleanField(label=_("I have checked: these two records are the same person"))

    def __init__(self, *args, first: Maker, second: Maker, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (str(first.pk), _("%(name)s (record %(pk)s, joined %(day)s)") % _describe(first)),
            (str(second.pk), _("%(name)s (record %(pk)s, joined %(day)s)") % _describe(second)),
        ]


class MergeQuery(QueryForm):
    """Merge's step one searches (?q=); a record number (?other=) goes to step two."""

    other = forms.IntegerField(required=False, min_value=1)
    q = SearchField()


class PaperFormsQuery(QueryForm):
    rows = forms.IntegerField(required=False, initial=5)


def _describe(maker: Maker) -> dict:
    return {"name": maker.name, "pk": maker.pk, "day": f"{maker.created_at:%-d %B %Y}"}


class ProblemFilterForm(forms.Form):
    SHOWS = [
        ("open", _("Waiting for the hub")),
        ("answered", _("Answered")),
        ("resolved", _("Sorted out")),
        ("all", _("All")),
    ]
    show = forms.ChoiceField(choices=SHOWS, required=False)


# --- Bringing in a spreadsheet of volunteers (issue 23) ------------------------------------

SHEET_TYPES = (
    ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)


class ImportUploadForm(OnceForm, PlainForm):
    """The sheet itself. Reading it (makers.sheets) is part of checking it: a file we cannot
    read is refused here, with the reason beside the field."""

    required_messages = {"sheet": _("Choose the spreadsheet to upload.")}

    sheet = forms.FileField(
        label=_("Your spreadsheet of volunteers"),
        help_text=_("A CSV file or an Excel workbook (.xlsx), at most %(mb)s MB.")
        % {"mb": settings.SCRUBHUB_IMPORT_MAX_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": SHEET_TYPES}),
    )

    @classmethod
    def refused(cls, message: str) -> ImportUploadForm:
        """The form shown again with only `message` beside the file (and a fresh token),
        for an upload refused before it was read."""
        form = cls(data={}, files={})
        form.full_clean()
        form._errors = forms.utils.ErrorDict()
        form.add_error("sheet", message)
        return form

    def clean_sheet(self):
        from makers.sheets import SheetError, sheet_read, too_big_message

        upload = self.cleaned_data["sheet"]
        if upload.size > settings.SCRUBHUB_IMPORT_MAX_BYTES:
            raise forms.ValidationError(too_big_message(upload.size))
        try:
            self.read = sheet_read(data=upload.read(), file_name=upload.name)
        except SheetError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class ImportColumnsForm(PlainForm):
    """What each column of the sheet is: one choice a column, first guessed from its
    heading (makers.imports.guess_columns)."""

    def __init__(self, *args, batch, **kwargs):
        from makers.imports import TARGETS
        from makers.sheets import column_name

        super().__init__(*args, **kwargs)
        samples = _column_samples(batch)
        self.count = len(batch.headers)
        for index, heading in enumerate(batch.headers):
            if heading:
                label = _("Column %(column)s, “%(heading)s”") % {
                    "column": column_name(index),
                    "heading": heading[:80],
                }
            else:
                label = _("Column %(column)s (no heading)") % {"column": column_name(index)}
            examples = samples[index]
            field = forms.ChoiceField(
                label=label,
                choices=TARGETS,
                required=False,
                initial=batch.columns[index] if index < len(batch.columns) else "",
                help_text=(
                    _("For example: %(examples)s") % {"examples": "; ".join(examples)}
                    if examples
                    else _("Empty in the first rows.")
                ),
            )
            field.widget.attrs["class"] = "form-select"
            self.fields[f"column_{index}"] = field

    def columns(self) -> list[str]:
        return [self.cleaned_data.get(f"column_{i}") or "" for i in range(self.count)]

    def clean(self):
        from makers.imports import columns_problems

        data = super().clean()
        if not self.errors:
            for problem in columns_problems(self.columns()):
                self.add_error(None, problem)
        return data


def _column_samples(batch, wanted: int = 3) -> list[list[str]]:
    """A few values from the top of each column, to show what it holds."""
    samples: list[list[str]] = [[] for _heading in batch.headers]
    for _number, cells in batch.rows[:50]:
        for index, cell in enumerate(cells[: len(samples)]):
            value = " ".join(cell.split())
            if value and len(samples[index]) < wanted:
                samples[index].append(value[:30] + ("…" if len(value) > 30 else ""))
    return samples


class ImportConfirmForm(PlainForm):
    """The last step: on what basis the hub may contact these people, and whether to
    approve them all now."""

    required_messages = {
        "contact_basis": _("Choose on what basis the hub may contact the people in this sheet.")
    }

    contact_basis = forms.ChoiceField(
        label=_("Why may the hub contact these people?"),
        help_text=_(
            "This is kept with each new person's record. Each of them is sent a welcome "
            "that lets them say they want to stay, or leave the list."
        ),
        choices=[],
        widget=RadioSelect,
    )
    approve = forms.BooleanField(
        label=_("Approve the new people now, so they can have kits straight away"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        from makers.models import ImportBatch

        super().__init__(*args, **kwargs)
        self.fields["contact_basis"].choices = ImportBatch.Basis.choices
