"""The public pages (the hub's page, joining, signing in by link) and the maker's own
pages, /me/. The hub staff's volunteer pages are in the back office
(scrubhub/backoffice/urls.py), under the same "makers" namespace that scrubhub/urls.py
gives them both."""

from django.urls import path

from makers import views

urlpatterns = [
    # Public: the hub's page, joining, and signing in by link.
    path("h/<slug:slug>/", views.hub_page, name="hub_page"),
    path("join/", views.join_start, name="join_start"),
    path("join/<slug:slug>/", views.join, name="join"),
    path("join/<slug:slug>/thanks/", views.join_done, name="join_done"),
    path("join/<slug:slug>/group/", views.group_register, name="group_register"),
    path("guardian/<str:token>/", views.guardian, name="guardian"),
    path("signin/", views.signin_request, name="signin"),
    path("signin/sent/", views.signin_sent, name="signin_sent"),
    path("signin/code/", views.signin_code, name="signin_code"),
    path("signin/link/", views.signin_link, name="signin_link"),
    path("goodbye/", views.deleted, name="deleted"),
    # The two links in the welcome someone a hub imported from its own sheet is sent.
    path("welcome/<str:token>/stay/", views.import_stay, name="import_stay"),
    path("welcome/<str:token>/leave/", views.import_leave, name="import_leave"),
    # The maker's own pages.
    path("me/", views.me, name="me"),
    path("me/kits/<str:code>/", views.kit_detail, name="kit"),
    path("me/kits/<str:code>/progress/", views.kit_progress, name="kit_progress"),
    path("me/kits/<str:code>/return/", views.kit_return, name="kit_return"),
    path("me/kits/<str:code>/cannot-finish/", views.kit_give_back, name="kit_give_back"),
    path("me/kits/<str:code>/problem/", views.kit_problem, name="kit_problem"),
    path("me/ready/", views.ready_for_kit, name="ready"),
    path("me/impact/", views.impact, name="impact"),
    path("me/details/", views.details, name="details"),
    path("me/away/", views.away, name="away"),
    path("me/back/", views.back, name="back"),
    path("me/stop/", views.withdraw, name="withdraw"),
    path("me/data/", views.my_data, name="data"),
    path("me/data/weekly-email/", views.weekly_email, name="weekly_email"),
    path("me/data/my-data.json", views.my_data_json, name="data_json"),
    path("me/data/my-data.csv", views.my_data_csv, name="data_csv"),
    path("me/delete/", views.delete_account, name="delete"),
    # Group leaders.
    path("group/", views.group, name="group"),
]
