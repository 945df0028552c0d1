"""Sign-in accounts (the custom user model) and their sessions."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "scrubhub.accounts"
    label = "accounts"
