"""Tenancy and roles: hubs, hospitals, memberships and setting a hub up."""

from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "scrubhub.hubs"
    label = "hubs"
