"""Every change to a maker or a maker group, one function each, split by what it is about:

core        MakerError, the status table and its one path, what the others share
accounts    sign-in accounts, links and codes
consents    what a maker agreed to, and the weekly summary on or off
status      approving, declining, pausing, standby, away and back, stopping
joining     applying and joining on the hub's form
details     a maker's details changed, and a contact corrected by staff
sewing      finished garments, a kit's return, problems with a kit
groups      maker groups
applicants  staff deciding about applicants and signing people up
merging     two records of one person made one
export      everything we hold about a maker
erasure     erasing a maker, by staff, themselves or the retention period
importing   a hub's own spreadsheet of volunteers

Callers import from here (`from makers.services import maker_approve`); the names below are
the package's public face, with the one underscore name another module uses."""

from __future__ import annotations

from makers.services.accounts import signin_code_send, signin_link_send
from makers.services.applicants import (
    Decision,
    MakerRowError,
    maker_sign_up_on_behalf,
    makers_approve_many,
    makers_decline_many,
    makers_sign_up_many,
)
from makers.services.consents import consent_give, consent_withdraw, maker_summaries_set
from makers.services.core import (
    JOIN_CONSENTS,
    MAKER_ALLOWED,
    UNDER_16,
    MakerError,
    S,
    _message_maker,  # makers.guardian_services tells the maker her guardian answered
)
from makers.services.details import (
    ContactCorrected,
    maker_change_by_staff,
    maker_contact_correct,
    maker_details_update,
)
from makers.services.erasure import (
    RETENTION_BATCH,
    maker_delete_account,
    maker_erase,
    makers_retention_erase,
)
from makers.services.export import maker_export, maker_export_csv
from makers.services.groups import (
    GROUP_ALLOWED,
    GROUP_FIELDS,
    maker_group_close,
    maker_group_create,
    maker_group_pause,
    maker_group_register,
    maker_group_resume,
    maker_group_update,
)
from makers.services.importing import (
    IMPORT_BASIS_WORDS,
    IMPORT_CONFIRMED_WORDING,
    IMPORT_WELCOME_DAYS,
    IMPORT_WELCOME_KIND,
    IMPORT_WELCOME_SALT,
    ImportRefused,
    import_batch_columns_set,
    import_batch_start,
    import_batches_prune,
    import_welcome_leave,
    import_welcome_read,
    import_welcome_stay,
    import_welcome_token,
    import_wording,
    makers_import,
)
from makers.services.joining import JoinOutcome, maker_apply, maker_join
from makers.services.merging import MERGE_FILL, STATUS_RANK, makers_merge
from makers.services.sewing import (
    RETURN_DAYS_AHEAD,
    kit_problem_answer,
    kit_problem_report,
    kit_problem_resolve,
    kit_progress_record,
    return_plan_make,
)
from makers.services.status import (
    maker_approve,
    maker_away,
    maker_back,
    maker_decline,
    maker_mark_active,
    maker_pause,
    maker_ready_for_kit,
    maker_resume,
    maker_standby,
    maker_withdraw,
    makers_invite_back,
)

__all__ = [
    "_message_maker",
    "ContactCorrected",
    "Decision",
    "GROUP_ALLOWED",
    "GROUP_FIELDS",
    "IMPORT_BASIS_WORDS",
    "IMPORT_CONFIRMED_WORDING",
    "IMPORT_WELCOME_DAYS",
    "IMPORT_WELCOME_KIND",
    "IMPORT_WELCOME_SALT",
    "ImportRefused",
    "JOIN_CONSENTS",
    "JoinOutcome",
    "MAKER_ALLOWED",
    "MERGE_FILL",
    "MakerError",
    "MakerRowError",
    "RETENTION_BATCH",
    "RETURN_DAYS_AHEAD",
    "S",
    "STATUS_RANK",
    "UNDER_16",
    "consent_give",
    "consent_withdraw",
    "import_batch_columns_set",
    "import_batch_start",
    "import_batches_prune",
    "import_welcome_leave",
    "import_welcome_read",
    "import_welcome_stay",
    "import_welcome_token",
    "import_wording",
    "kit_problem_answer",
    "kit_problem_report",
    "kit_problem_resolve",
    "kit_progress_record",
    "maker_apply",
    "maker_approve",
    "maker_away",
    "maker_back",
    "maker_change_by_staff",
    "maker_contact_correct",
    "maker_decline",
    "maker_delete_account",
    "maker_details_update",
    "maker_erase",
    "maker_export",
    "maker_export_csv",
    "maker_group_close",
    "maker_group_create",
    "maker_group_pause",
    "maker_group_register",
    "maker_group_resume",
    "maker_group_update",
    "maker_join",
    "maker_mark_active",
    "maker_pause",
    "maker_ready_for_kit",
    "maker_resume",
    "maker_sign_up_on_behalf",
    "maker_standby",
    "maker_summaries_set",
    "maker_withdraw",
    "makers_approve_many",
    "makers_decline_many",
    "makers_import",
    "makers_invite_back",
    "makers_merge",
    "makers_retention_erase",
    "makers_sign_up_many",
    "return_plan_make",
    "signin_code_send",
    "signin_link_send",
]
