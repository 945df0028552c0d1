"""The operators' admin, signing in and out through the same doors as the rest of the site.

Django's own admin sign-in form checks only a password, so it would let an operator with
two-step sign-in in without the code; its sign-out ends only the session it is in. Here
the admin sends people to allauth's sign-in (password, then the code) and signs out through
allauth, whose adapter ends every session the person has (see scrubhub.accounts.adapter).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache


class OperatorAdminSite(admin.AdminSite):
    site_header = "ScrubHub operators"
    site_title = "ScrubHub operators"

    @method_decorator(never_cache)
    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        if self.has_permission(request):
            return redirect("admin:index")
        if request.user.is_authenticated:
            # Signed in without the operator role: Django's page would offer to sign in as
            # someone else; the site's sign-out is the way to do that.
            raise PermissionDenied("The admin is for the platform's operators.")
        # Imported here, as Django's own AdminSite does: this module loads with the apps,
        # before the user model exists.
        from django.contrib.auth.views import redirect_to_login

        # allauth checks that the address to go back to is one of ours.
        after = request.GET.get(REDIRECT_FIELD_NAME) or request.POST.get(REDIRECT_FIELD_NAME)
        return redirect_to_login(
            after or reverse("admin:index", current_app=self.name), settings.LOGIN_URL
        )

    def logout(self, request, extra_context=None):
        from allauth.account.views import logout

        return logout(request)


class OperatorAdminConfig(AdminConfig):
    default_site = "scrubhub.admin_site.OperatorAdminSite"


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that only a service may add, change or remove (with its rules, its locks
    and its audit row): operators look, search and open them here, and change them on
    the hub's own pages. An add or change sent to the admin anyway is refused (403)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline of rows that only a service may add, change or remove (see ReadOnlyAdmin)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
