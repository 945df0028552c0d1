"""Every change to stock, kits, their garments, demand and deliveries: one function each, in a
module by what it changes. Import from here (`from packages.services import kit_allocate`):
this package re-exports each module's names.

- `errors`: the domain errors views show to people.
- kit codes live in `packages/codes.py` (pure functions, no writes), re-exported here.
- `moves`: which status a kit may take next and where its garments may go, and the one path
  each takes (`_kit_status_set`, `_garments_move`), with the tallies and point holdings they
  keep; every other module changes a kit through these.
- `stock`: goods in (donations, fabric, pre-cut pieces) and the hub's patterns.
- `kits`: a kit's life at the hub: prepared, given out, handed on, taken back, lost,
  cancelled.
- `making`: a kit with its maker and on its way back: collected, progress, garments handed
  in, picked up, at the hub, returned unfinished.
- `quality`: the hub's check of garments, the hospital's quality requirements, wash failures.
- `demand`: the hospital's requests and the sets it has in circulation.
- `deliveries`: deliveries to the hospital, packed, sent and confirmed, and makers thanked.

Locking order, everywhere: delivery, then kits (in id order), then stock, then tallies and
point holdings. Keeping one order means two requests never wait on each other in a circle.
"""

from packages.codes import (
    KIT_CODE_ALPHABET,
    KIT_CODE_LENGTH,
    kit_code_generate,
    kit_code_neighbours,
    normalise_kit_code,
)
from packages.services.deliveries import (
    THANK_YOU_NOTE_MAX,
    delivery_cancel,
    delivery_confirm,
    delivery_create,
    delivery_discrepancy_resolve,
    delivery_line_add,
    delivery_line_unpack,
    delivery_pack,
    delivery_send,
)
from packages.services.demand import (
    DEMAND_MAX_PER_SIZE,
    circulation_record,
    demand_change,
    demand_mark_met,
    demand_record,
    demand_withdraw,
)
from packages.services.errors import (
    DeliveryError,
    DemandError,
    KitError,
    KitTakenError,
    LaundryError,
    PackagesError,
    PatternError,
    StockError,
)
from packages.services.kits import (
    MAX_GARMENTS_PER_KIT,
    MAX_KITS_PER_BATCH,
    kit_allocate,
    kit_cancel,
    kit_mark_lost,
    kit_reallocate,
    kit_take_back,
    kits_prepare,
    stock_left,
)
from packages.services.making import (
    garments_arrive_at_hub,
    garments_pick_up,
    garments_return,
    kit_collect,
    kit_progress_log,
    kit_return_unfinished,
)
from packages.services.moves import (
    GARMENT_MOVES,
    KIT_ALLOWED,
    OPEN_KIT_STATUSES,
    K,
    P,
    _garments_move,
    tallies_rebuild,
)
from packages.services.quality import (
    STANDARD_REASONS,
    Failure,
    garments_write_off,
    quality_check_record,
    quality_requirement_add,
    quality_requirement_change,
    quality_requirement_remove,
    wash_failure_look_at,
    wash_failure_report,
)
from packages.services.stock import (
    PATTERN_METRES_MAX,
    PATTERN_TEXT_MAX,
    donation_record,
    donation_thank,
    fabric_lot_receive,
    pattern_check,
    pattern_for,
    pattern_save,
    patterns_save,
    precut_receive,
)

__all__ = [
    "DEMAND_MAX_PER_SIZE",
    "DeliveryError",
    "DemandError",
    "Failure",
    "GARMENT_MOVES",
    "K",
    "KIT_ALLOWED",
    "KIT_CODE_ALPHABET",
    "KIT_CODE_LENGTH",
    "KitError",
    "KitTakenError",
    "LaundryError",
    "MAX_GARMENTS_PER_KIT",
    "MAX_KITS_PER_BATCH",
    "OPEN_KIT_STATUSES",
    "P",
    "PATTERN_METRES_MAX",
    "PATTERN_TEXT_MAX",
    "PackagesError",
    "PatternError",
    "STANDARD_REASONS",
    "StockError",
    "THANK_YOU_NOTE_MAX",
    "_garments_move",  # tests/packages/test_kits.py tries a move the table refuses
    "circulation_record",
    "delivery_cancel",
    "delivery_confirm",
    "delivery_create",
    "delivery_discrepancy_resolve",
    "delivery_line_add",
    "delivery_line_unpack",
    "delivery_pack",
    "delivery_send",
    "demand_change",
    "demand_mark_met",
    "demand_record",
    "demand_withdraw",
    "donation_record",
    "donation_thank",
    "fabric_lot_receive",
    "garments_arrive_at_hub",
    "garments_pick_up",
    "garments_return",
    "garments_write_off",
    "kit_allocate",
    "kit_cancel",
    "kit_code_generate",
    "kit_code_neighbours",
    "kit_collect",
    "kit_mark_lost",
    "kit_progress_log",
    "kit_reallocate",
    "kit_return_unfinished",
    "kit_take_back",
    "kits_prepare",
    "normalise_kit_code",
    "pattern_check",
    "pattern_for",
    "pattern_save",
    "patterns_save",
    "precut_receive",
    "quality_check_record",
    "quality_requirement_add",
    "quality_requirement_change",
    "quality_requirement_remove",
    "stock_left",
    "tallies_rebuild",
    "wash_failure_look_at",
    "wash_failure_report",
]
