"""Hub staff's volunteer pages, under /hub/volunteers/. Included by makers/urls.py, so the
names live in the "makers" namespace (makers:staff_roster, makers:staff_applicants...)."""

from django.urls import path

from makers import import_views as sheet_views
from makers import staff_group_views
from makers import staff_views as views

urlpatterns = [
    path("", views.roster, name="staff_roster"),
    path("makers.csv", views.roster_csv, name="staff_roster_csv"),
    path("applicants/", views.applicants, name="staff_applicants"),
    path("applicants/decide/", views.applicants_decide, name="staff_applicants_decide"),
    path("sign-up/", views.sign_up, name="staff_sign_up"),
    path("paper-forms/", views.paper_forms, name="staff_paper_forms"),
    path("import/", sheet_views.import_upload, name="staff_import"),
    path("import/<int:pk>/", sheet_views.import_columns, name="staff_import_columns"),
    path("import/<int:pk>/check/", sheet_views.import_check, name="staff_import_check"),
    path("import/<int:pk>/done/", sheet_views.import_done, name="staff_import_done"),
    path("<int:pk>/", views.maker_page, name="staff_maker"),
    path("<int:pk>/change/", views.maker_change, name="staff_maker_change"),
    path("<int:pk>/status/", views.maker_status, name="staff_maker_status"),
    path("<int:pk>/guardian/", views.maker_guardian_ask, name="staff_maker_guardian_ask"),
    path("<int:pk>/kits/<str:code>/progress/", views.maker_progress, name="staff_maker_progress"),
    path("<int:pk>/merge/", views.maker_merge, name="staff_maker_merge"),
    path("<int:pk>/erase/", views.maker_erase, name="staff_maker_erase"),
    path("groups/", staff_group_views.groups, name="staff_groups"),
    path("groups/<int:pk>/", staff_group_views.group, name="staff_group"),
    path("groups/<int:pk>/status/", staff_group_views.group_status, name="staff_group_status"),
    path("standby/", views.standby, name="staff_standby"),
    path("problems/", views.problems, name="staff_problems"),
    path("problems/<int:pk>/", views.problem, name="staff_problem"),
    path("problems/<int:pk>/resolve/", views.problem_resolve, name="staff_problem_resolve"),
]
