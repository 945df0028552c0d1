"""Where a person's data lives, and how each place is exported and erased.

Every model that points at a maker or a user account is listed here with what export and
erasure do with it. tests/makers/test_privacy_coverage.py fails when a new model points at
a maker or user and is not listed, so nobody can add personal data that a download or an
erasure would miss.
"""

from __future__ import annotations

# model label -> (what the download includes, what erasure does)
HANDLING: dict[str, tuple[str, str]] = {
    "makers.Maker": ("details", "every personal field blanked; the row stays for the counts"),
    "makers.MakerEvent": ("status_history", "notes blanked; statuses and times kept"),
    "makers.Consent": (
        "consents",
        "kept: purpose, wording version and times only; a parent or guardian's agreement "
        "(it names them) deleted",
    ),
    "makers.GuardianRequest": (
        "not shown (hashes of the links sent to a parent or guardian)",
        "deleted, so the links stop working; the messages to the guardian erased",
    ),
    "makers.ReturnPlan": ("return_plans", "notes blanked"),
    "makers.KitProblem": ("problems_reported", "text and answer blanked"),
    "makers.SigninCode": ("not shown (hashes of her last sign-in code only)", "deleted"),
    "makers.MakerGroup": (
        "the group a leader leads (group page)",
        "a leader's account is unlinked; the group's leader contact stays with the group",
    ),
    "makers.ImportBatch": (
        "not shown (a staff member's upload of a sheet of volunteers)",
        "its rows of people emptied when it is imported; never imported, deleted after a day",
    ),
    "makers.ImportedMaker": (
        "not shown (which sheet row an import brought them in from)",
        "kept: a row number and times; no personal data",
    ),
    "packages.KitAssignment": ("kits", "kept: which kit, when; no personal data"),
    "packages.KitProgress": ("progress_logged", "kept: counts and times; the account link goes"),
    "dropoffs.DoorstepAddress": ("doorstep", "deleted"),
    "dropoffs.Handover": ("handovers", "notes blanked; counts, points and times kept"),
    "dropoffs.RunStop": ("doorstep visits (handovers)", "notes blanked"),
    "notifications.Message": ("messages_sent_to_you", "address, subject and text erased"),
    "notifications.OptOut": ("stopped_messages", "deleted"),
    "hubs.Membership": ("account roles", "the maker role removed"),
    "accounts.User": ("account", "deleted, or locked and blanked if a record must keep it"),
    "account.EmailAddress": ("account", "deleted with the account"),
    "mfa.Authenticator": ("not for makers (staff two-step sign-in)", "deleted with the account"),
    "admin.LogEntry": ("not shown (operators' log)", "the maker's name in the log redacted"),
    "audit.AuditEvent": ("not shown (staff log, ids only)", "kept: holds no personal data"),
}

# Models that point at a user only as the staff member who did something. They hold no
# personal data of the person erased (makers are never these actors except as noted).
STAFF_ACTOR_ONLY = {
    "packages.Donation",
    "packages.FabricLot",
    "packages.PrecutStock",
    "packages.Kit",
    "packages.KitEvent",
    "packages.GarmentMovement",
    "packages.QualityCheck",
    "packages.DemandLine",
    "packages.DemandChange",
    "packages.Delivery",
    "packages.CirculationRecord",
    "packages.WashFailure",
    "packages.QualityRequirement",
    "dropoffs.Run",
    "dropoffs.RunStopKit",
    "hubs.ShiftNote",
    "hubs.KitBatch",
    "hubs.Invitation",
    "dropoffs.Point",
    "dropoffs.OpeningHours",
}
