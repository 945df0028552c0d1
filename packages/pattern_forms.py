"""Forms for the hub's patterns and sewing instructions (/hub/patterns/). They check what
was typed; the rules live in packages.services.pattern_save."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from makers.forms import PlainForm, RadioSelect
from packages.models import GarmentType, Size
from packages.services import PATTERN_METRES_MAX, PATTERN_TEXT_MAX
from scrubhub.once import OnceForm


def _metres_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=PATTERN_METRES_MAX,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("Give the metres as a number, for example 1.5."),
            "min_value": _("A garment takes some fabric: give more than 0 metres."),
            "max_value": _("That is metres for one garment: no garment takes more than 20."),
            "max_decimal_places": _("Give the metres to the nearest centimetre (0.01)."),
            "max_digits": _("That is metres for one garment: no garment takes more than 20."),
        },
        **kwargs,
    )


class PatternDetailsForm(PlainForm):
    """What every size of a pattern shares: its name and the printed instructions."""

    required_messages = {"name": _("Give the pattern a name people will recognise.")}

    name = forms.CharField(
        label=_("Name of the pattern"),
        max_length=200,
        help_text=_("As makers will see it, for example: Unisex scrub top, v-neck."),
    )
    instructions_text = forms.CharField(
        label=_("Sewing instructions"),
        required=False,
        max_length=PATTERN_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 14, "data-instructions-text": ""}),
        help_text=_(
            "One step a line, like 1. Sew the shoulder seams. Leave an empty line to start "
            "a new paragraph. This is printed on the sheet in each kit."
        ),
    )
    instructions_url = forms.URLField(
        label=_("Instructions online (web address)"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("A video or page with the same steps. The sheet prints it with a QR code."),
        error_messages={"invalid": _("Give a web address, like https://example.org/top.")},
    )

    def clean_instructions_url(self) -> str:
        url = self.cleaned_data["instructions_url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("Give a web address, like https://example.org/top."))
        return url

    def details(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "instructions_text": data["instructions_text"],
            "instructions_url": data["instructions_url"],
        }


class PatternForm(PatternDetailsForm):
    """One garment and size: the fabric it takes and its instructions. Changing a pattern
    twice changes it once, so this form has no one-time token."""

    required_messages = {
        **PatternDetailsForm.required_messages,
        "metres_per_garment": _("Give the fabric one garment takes, in metres."),
    }
    field_order = ["name", "metres_per_garment", "instructions_text", "instructions_url"]

    metres_per_garment = _metres_field(
        label=_("Fabric for one garment (metres)"),
        help_text=_("For example 1.5. Preparing kits from fabric uses this figure."),
    )

    @staticmethod
    def initial_for(pattern) -> dict:
        if pattern is None:
            return {}
        return {
            "name": pattern.name,
            "metres_per_garment": pattern.metres_per_garment,
            "instructions_text": pattern.instructions_text,
            "instructions_url": pattern.instructions_url,
        }


class NewPatternForm(OnceForm, PatternDetailsForm):
    """A pattern for one garment in the sizes it is made in, each with the fabric it takes.
    A size left empty is not made with this pattern."""

    required_messages = {
        **PatternDetailsForm.required_messages,
        "garment_type": _("Choose the garment: scrub top or scrub trousers."),
    }

    garment_type = forms.ChoiceField(
        label=_("Garment"), choices=GarmentType.choices, widget=RadioSelect
    )
    field_order = ["garment_type", "name"]

    def __init__(self, *args, hub_patterns: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for size in Size.values:
            self.fields[self.size_field(size)] = _metres_field(
                label=_("Size %(size)s") % {"size": size}, required=False
            )
            # Added after PlainForm set the classes, so given them here.
            self.fields[self.size_field(size)].widget.attrs["class"] = "form-control"
        self.order_fields(self.field_order)
        # The hub's own patterns now, so each size can say what saving would replace.
        self.hub_patterns = hub_patterns or {}

    @staticmethod
    def size_field(size: str) -> str:
        return f"metres_{size}"

    def size_fields(self):
        return [self[self.size_field(size)] for size in Size.values]

    def metres_by_size(self) -> dict[str, Decimal]:
        return {
            size: self.cleaned_data[self.size_field(size)]
            for size in Size.values
            if self.cleaned_data.get(self.size_field(size)) is not None
        }

    def clean(self):
        data = super().clean()
        if not self.errors and not self.metres_by_size():
            raise forms.ValidationError(
                _("Fill in the fabric for at least one size: the sizes this pattern makes.")
            )
        return data
