"""The volunteers' side: the public hub page, joining, signing in by link, and /me/, one
module per area:

common      what the pages share (the hub of a public page, the signed-in maker, her kit)
joining     the hub's page, joining, a group registering, a young maker's guardian
signing_in  signing in by link or by a code sent by text
kits        the maker's kits: progress, return, giving back, a problem
my_pages    /me/: ready for a kit, impact, details, away and back, stopping; group leaders
data        /me/data/: what we hold, its downloads, the weekly email, deleting the account
welcome     the two pages a person a hub imported from its own sheet is sent to

Views are thin: they read through makers.selectors, write through makers.services, and
show the services' refusals to people beside the form. makers.urls finds every view here."""

from __future__ import annotations

from makers.views.common import GET_POST
from makers.views.data import (
    delete_account,
    deleted,
    my_data,
    my_data_csv,
    my_data_json,
    weekly_email,
)
from makers.views.joining import (
    JoinSearch,
    group_register,
    guardian,
    hub_page,
    join,
    join_done,
    join_start,
)
from makers.views.kits import kit_detail, kit_give_back, kit_problem, kit_progress, kit_return
from makers.views.my_pages import away, back, details, group, impact, me, ready_for_kit, withdraw
from makers.views.signing_in import (
    CODE_SESSION,
    signin_code,
    signin_link,
    signin_request,
    signin_sent,
)
from makers.views.welcome import import_leave, import_stay

__all__ = [
    "CODE_SESSION",
    "GET_POST",
    "JoinSearch",
    "away",
    "back",
    "delete_account",
    "deleted",
    "details",
    "group",
    "group_register",
    "guardian",
    "hub_page",
    "impact",
    "import_leave",
    "import_stay",
    "join",
    "join_done",
    "join_start",
    "kit_detail",
    "kit_give_back",
    "kit_problem",
    "kit_progress",
    "kit_return",
    "me",
    "my_data",
    "my_data_csv",
    "my_data_json",
    "ready_for_kit",
    "signin_code",
    "signin_link",
    "signin_request",
    "signin_sent",
    "weekly_email",
    "withdraw",
]
