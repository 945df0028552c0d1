"""{% load garments %}: {{ 5|garments:"top" }} reads "5 scrub tops" (and "1 scrub top")."""

from django import template

from packages.models import garments_text

register = template.Library()


@register.filter
def garments(count, garment_type) -> str:
    return garments_text(garment_type, int(count or 0))
