from django.urls import path

from scrubhub.notifications import views

app_name = "notifications"
urlpatterns = [
    path("hub/messages/", views.message_list, name="list"),
    path("hub/messages/<int:message_id>/resend/", views.message_resend, name="resend"),
    path("hub/messages/phone/", views.phone_list, name="phone_list"),
    path("hub/messages/<int:message_id>/phoned/", views.message_phoned, name="phoned"),
    path("hub/messages/not-reached/", views.unreachable, name="unreachable"),
    path(
        "hub/messages/not-reached/<int:maker_id>/correct/",
        views.contact_correct,
        name="contact_correct",
    ),
    path(
        "hub/messages/not-reached/<int:message_id>/dealt-with/",
        views.dealt_with,
        name="dealt_with",
    ),
    path("hub/messages/settings/", views.summary_settings, name="settings"),
    path("messages/stop/<str:token>/", views.stop_messages, name="stop"),
    path("messages/receipts/notify/", views.notify_receipt, name="notify_receipt"),
]
