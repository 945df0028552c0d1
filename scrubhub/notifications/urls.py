"""The two public message addresses: stopping messages from a link, and GOV.UK Notify's
receipts. The hub's message pages are in the back office (scrubhub/backoffice/urls.py),
under the same "notifications" namespace that scrubhub/urls.py gives them both."""

from django.urls import path

from scrubhub.notifications import views

urlpatterns = [
    path("messages/stop/<str:token>/", views.stop_messages, name="stop"),
    path("messages/receipts/notify/", views.notify_receipt, name="notify_receipt"),
]
