"""The admin's page for sign-in accounts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from scrubhub.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_superuser", "last_login")
    search_fields = ("username", "email", "first_name", "last_name")
