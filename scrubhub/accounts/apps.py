from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "scrubhub.accounts"
    label = "accounts"
