"""The laundry's pages, /laundry/. The hub's side of deliveries is in the back office
(scrubhub/backoffice/urls.py), under the same "packages" namespace that scrubhub/urls.py
gives them both."""

from django.urls import path

from packages import report_views, views

urlpatterns = [
    # The hospital laundry.
    path("laundry/", views.laundry_home, name="laundry_home"),
    path("laundry/hospital/", views.laundry_switch, name="laundry_switch"),
    path("laundry/demand/", views.demand_list, name="laundry_demand"),
    path("laundry/demand/past/", views.demand_past, name="laundry_demand_past"),
    path("laundry/demand/new/", views.demand_new, name="laundry_demand_new"),
    path("laundry/demand/<int:pk>/", views.demand_detail, name="laundry_demand_detail"),
    path("laundry/demand/<int:pk>/change/", views.demand_change, name="laundry_demand_change"),
    path(
        "laundry/demand/<int:pk>/withdraw/", views.demand_withdraw, name="laundry_demand_withdraw"
    ),
    path("laundry/sets-in-use/", views.circulation, name="laundry_circulation"),
    path("laundry/quality/", views.quality_list, name="laundry_quality"),
    path("laundry/quality/new/", views.quality_new, name="laundry_quality_new"),
    path("laundry/quality/<int:pk>/change/", views.quality_change, name="laundry_quality_change"),
    path("laundry/quality/<int:pk>/remove/", views.quality_remove, name="laundry_quality_remove"),
    path("laundry/deliveries/", views.laundry_deliveries, name="laundry_deliveries"),
    path("laundry/deliveries/<int:pk>/", views.laundry_delivery, name="laundry_delivery"),
    path(
        "laundry/deliveries/<int:pk>/confirm/",
        views.laundry_delivery_confirm,
        name="laundry_delivery_confirm",
    ),
    path(
        "laundry/deliveries/<int:pk>/wash-failures/",
        views.wash_failure_new,
        name="laundry_wash_failure",
    ),
    # The laundry's report on paper and its downloads (issue 23).
    path("laundry/report/", report_views.laundry_report, name="laundry_report"),
    path(
        "laundry/report/deliveries.csv",
        report_views.laundry_export_deliveries,
        name="laundry_export_deliveries",
    ),
    path(
        "laundry/report/demand.csv",
        report_views.laundry_export_demand,
        name="laundry_export_demand",
    ),
]
