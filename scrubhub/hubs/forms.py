"""Forms for the hub staff pages. They check what was typed; the services hold the rules."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from packages.forms import ReportQuery
from packages.models import (
    DONATION_DESCRIPTION_MAX,
    Donation,
    FabricLot,
    GarmentType,
    PrecutStock,
    Size,
)
from packages.planning import current_patterns
from packages.reports import PERIODS
from scrubhub.form_fields import DateField
from scrubhub.hubs.selectors import KIT_VIEWS, stock_options
from scrubhub.hubs.services import (
    MAX_GARMENTS_PER_KIT,
    MAX_KITS_PER_BATCH,
    SHIFT_NOTE_MAX,
    FabricIn,
    PrecutIn,
)
from scrubhub.once import OnceForm
from scrubhub.query import QueryForm

MAX_METRES = Decimal("100000")
MAX_PIECES = 100_000


class ShiftNoteForm(OnceForm, forms.Form):
    text = forms.CharField(
        label=_("Note for the next shift"),
        max_length=SHIFT_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What they need to know: what is half done, what is running low."),
        error_messages={"required": _("Write the note before saving it.")},
    )


class GoodsInForm(OnceForm, forms.Form):
    donor_name = forms.CharField(
        label=_("Who gave it"),
        max_length=200,
        help_text=_("A person, shop or company."),
        error_messages={"required": _("Enter who gave it, for the thank-you letter.")},
    )
    donor_contact = forms.CharField(
        label=_("How to reach them (optional)"),
        max_length=200,
        required=False,
        help_text=_("An address, email or phone number, for the thank-you letter."),
    )
    kind = forms.ChoiceField(
        label=_("What they gave"),
        choices=Donation.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what they gave.")},
    )
    received_on = DateField(
        label=_("Date it came in"),
        help_text=_("For example 14/04/2020."),
        error_messages={"required": _("Enter the date it came in.")},
    )
    description = forms.CharField(
        label=_("Anything else to note (optional)"),
        max_length=DONATION_DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": _(
                "Please keep the note to %(limit_value)s letters or fewer; it has %(show_value)s."
            )
        },
    )
    # Fabric
    colour = forms.CharField(label=_("Colour of the fabric"), max_length=60, required=False)
    metres = forms.DecimalField(
        label=_("Metres of fabric"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=MAX_METRES,
        decimal_places=2,
    )
    width_cm = forms.IntegerField(
        label=_("Width in centimetres (optional)"), required=False, min_value=30, max_value=400
    )
    approved_for_hospital_washing = forms.BooleanField(
        label=_("This fabric is approved for hospital washing"), required=False
    )
    # Pre-cut pieces
    garment_type = forms.ChoiceField(
        label=_("Garment the pieces are for"),
        choices=GarmentType.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    size = forms.ChoiceField(
        label=_("Size"), choices=[("", _("Choose a size")), *Size.choices], required=False
    )
    pieces = forms.IntegerField(
        label=_("How many garments' worth of pieces"),
        required=False,
        min_value=1,
        max_value=MAX_PIECES,
    )
    cut_by = forms.CharField(
        label=_("Who cut them (optional)"),
        max_length=200,
        required=False,
        help_text=_("Leave empty if the giver cut them."),
    )
    # Anything else
    quantity = forms.DecimalField(
        label=_("How much (optional)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal("1000000"),
        decimal_places=2,
    )
    unit = forms.CharField(
        label=_("Counted in (optional)"),
        max_length=30,
        required=False,
        help_text=_("For example: reels, pounds, boxes."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date it came in cannot be in the future."))
        return day

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        required = {
            Donation.Kind.FABRIC: {
                "colour": _("Say what colour the fabric is."),
                "metres": _("Say how many metres came in."),
            },
            Donation.Kind.PRECUT: {
                "garment_type": _("Say which garment the pieces are for."),
                "size": _("Say which size the pieces are."),
                "pieces": _("Say how many garments' worth of pieces came in."),
            },
        }.get(kind, {})
        for name, message in required.items():
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, message)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "donor_name": data["donor_name"],
            "donor_contact": data["donor_contact"],
            "kind": data["kind"],
            "received_on": data["received_on"],
            "description": data["description"],
            "quantity": data.get("quantity") or 0,
            "unit": data.get("unit", ""),
        }
        if data["kind"] == Donation.Kind.FABRIC:
            kwargs["fabric"] = FabricIn(
                colour=data["colour"],
                metres=data["metres"],
                width_cm=data.get("width_cm"),
                approved_for_hospital_washing=data["approved_for_hospital_washing"],
            )
        elif data["kind"] == Donation.Kind.PRECUT:
            kwargs["precut"] = PrecutIn(
                garment_type=data["garment_type"],
                size=data["size"],
                quantity=data["pieces"],
                cut_by=data.get("cut_by", ""),
            )
        return kwargs


def _stock_label(stock) -> str:
    if isinstance(stock, PrecutStock):
        return _(
            "Pre-cut %(garment)s, size %(size)s, cut by %(cut_by)s: %(left)s garments' worth left"
        ) % {
            "garment": stock.get_garment_type_display().lower(),
            "size": stock.size,
            "cut_by": stock.cut_by,
            "left": stock.quantity_available,
        }
    return _("Fabric: %(colour)s from %(supplier)s, %(left)s metres left") % {
        "colour": stock.colour,
        "supplier": stock.supplier,
        "left": stock.metres_available,
    }


class PrepareForm(forms.Form):
    """Step one of preparing a batch: what to make and which stock to draw from."""

    garment_type = forms.ChoiceField(
        label=_("Garment"),
        choices=GarmentType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose scrub top or scrub trousers.")},
    )
    size = forms.ChoiceField(
        label=_("Size"),
        choices=[("", _("Choose a size")), *Size.choices],
        error_messages={"required": _("Choose a size.")},
    )
    garments_per_kit = forms.IntegerField(
        label=_("Garments in each kit"),
        min_value=1,
        max_value=MAX_GARMENTS_PER_KIT,
        initial=5,
        help_text=_("Most kits hold 5."),
    )
    kit_count = forms.IntegerField(
        label=_("How many kits"),
        min_value=1,
        max_value=MAX_KITS_PER_BATCH,
        help_text=_("Up to %(max)s in one batch.") % {"max": MAX_KITS_PER_BATCH},
        error_messages={"required": _("Say how many kits to prepare.")},
    )
    stock = forms.ChoiceField(
        label=_("Stock to draw from"),
        help_text=_("Pre-cut pieces must be the same garment and size."),
        error_messages={"required": _("Choose the stock to draw from.")},
    )

    def __init__(self, *args, hub, **kwargs):
        super().__init__(*args, **kwargs)
        self.hub = hub
        precut, fabric = stock_options(hub=hub)
        self.stock_rows = {f"precut-{s.pk}": s for s in precut}
        self.stock_rows.update({f"fabric-{lot.pk}": lot for lot in fabric})
        choices = [("", _("Choose stock"))]
        if precut:
            choices.append(
                (_("Pre-cut pieces"), [(f"precut-{s.pk}", _stock_label(s)) for s in precut])
            )
        if fabric:
            choices.append(
                (
                    _("Fabric approved for hospital washing"),
                    [(f"fabric-{lot.pk}", _stock_label(lot)) for lot in fabric],
                )
            )
        self.fields["stock"].choices = choices
        self.fields["stock"].error_messages["invalid_choice"] = _(
            "Choose stock from this hub's shelves that still has some left."
        )

    def clean(self):
        data = super().clean()
        stock = self.stock_rows.get(data.get("stock", ""))
        garment_type, size = data.get("garment_type"), data.get("size")
        per_kit, kit_count = data.get("garments_per_kit"), data.get("kit_count")
        if stock is None or not (garment_type and size and per_kit and kit_count):
            return data
        data["stock_row"] = stock
        garments = per_kit * kit_count
        if isinstance(stock, PrecutStock):
            if (stock.garment_type, stock.size) != (garment_type, size):
                self.add_error(
                    "stock",
                    _(
                        "Those pieces are for %(garment)s in size %(size)s. Choose pieces "
                        "for %(wanted)s in size %(wanted_size)s."
                    )
                    % {
                        "garment": stock.get_garment_type_display().lower(),
                        "size": stock.size,
                        "wanted": GarmentType(garment_type).label.lower(),
                        "wanted_size": size,
                    },
                )
                return data
            data["draw"] = Draw(
                stock=stock, takes=garments, left=stock.quantity_available, unit="pieces"
            )
        else:
            pattern = current_patterns(hub=self.hub).get((garment_type, size))
            if pattern is None:
                self.add_error(
                    "stock",
                    _(
                        "There is no pattern for %(garment)s in size %(size)s, so we cannot "
                        "tell how much fabric a kit takes. Choose pre-cut pieces instead."
                    )
                    % {"garment": GarmentType(garment_type).label.lower(), "size": size},
                )
                return data
            data["draw"] = Draw(
                stock=stock,
                takes=pattern.metres_per_garment * garments,
                left=stock.metres_available,
                unit="metres",
                metres_per_garment=pattern.metres_per_garment,
            )
        draw = data["draw"]
        if draw.after < 0:
            self.add_error(
                "kit_count" if isinstance(stock, PrecutStock) else "stock",
                draw.shortage_message(kit_count=kit_count, per_kit=per_kit),
            )
        return data


class ConfirmForm(OnceForm, PrepareForm):
    """Step two: the same answers, plus what was left of the stock when it was shown."""

    expected_left = forms.DecimalField(widget=forms.HiddenInput, min_value=Decimal(0))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field is not self.fields["expected_left"]:
                field.widget = forms.HiddenInput()


class Draw:
    """What a batch takes from one stock, before it is confirmed."""

    def __init__(self, *, stock, takes, left, unit: str, metres_per_garment=None):
        self.stock = stock
        self.takes = takes
        self.left = left
        self.after = left - takes
        self.unit = unit
        self.metres_per_garment = metres_per_garment

    @property
    def is_fabric(self) -> bool:
        return isinstance(self.stock, FabricLot)

    @property
    def stock_value(self) -> str:
        prefix = "fabric" if self.is_fabric else "precut"
        return f"{prefix}-{self.stock.pk}"

    @property
    def label(self) -> str:
        return _stock_label(self.stock)

    def shortage_message(self, *, kit_count: int, per_kit: int) -> str:
        if self.is_fabric:
            return _(
                "That fabric has only %(left)s metres left. %(kits)s kits of %(per_kit)s "
                "need %(takes)s metres: %(short)s metres too many."
            ) % {
                "left": self.left,
                "kits": kit_count,
                "per_kit": per_kit,
                "takes": self.takes,
                "short": -self.after,
            }
        return _(
            "Those pieces make only %(left)s garments. %(kits)s kits of %(per_kit)s need "
            "%(takes)s: %(short)s too many. Make at most %(most)s kits from them."
        ) % {
            "left": self.left,
            "kits": kit_count,
            "per_kit": per_kit,
            "takes": self.takes,
            "short": -self.after,
            "most": self.left // per_kit,
        }


# --- What a page's address carries (read through scrubhub.query: bad values are left out) ---


class KitsQuery(QueryForm):
    show = forms.ChoiceField(choices=[(v, v) for v in KIT_VIEWS], required=False, initial="open")


class DonationsQuery(QueryForm):
    show = forms.ChoiceField(choices=[("unthanked", "unthanked")], required=False)


class PrepareLinkQuery(QueryForm):
    """What the plan's links fill in on the prepare form."""

    garment_type = forms.ChoiceField(choices=GarmentType.choices, required=False)
    size = forms.ChoiceField(choices=Size.choices, required=False)
    kit_count = forms.IntegerField(min_value=1, max_value=MAX_KITS_PER_BATCH, required=False)
    garments_per_kit = forms.IntegerField(
        min_value=1, max_value=MAX_GARMENTS_PER_KIT, required=False
    )


class PlanQuery(QueryForm):
    per_kit = forms.IntegerField(required=False, initial=5)


class HubReportQuery(ReportQuery):
    """The hub report's and the impact download's dates, and whether by week or month."""

    period = forms.ChoiceField(choices=list(PERIODS.items()), required=False, initial="month")


class KitsExportQuery(ReportQuery):
    """The kits download: one of the kits list's views (what the list shows), or every kit."""

    show = forms.ChoiceField(
        choices=[(v, v) for v in ["all", *KIT_VIEWS]], required=False, initial="all"
    )
