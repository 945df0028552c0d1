"""`{% maker_facts maker %}`: the two lines of facts about a maker on the pages that list a
few makers (applicants, possible duplicates). The roster builds them with its rows."""

from django import template

from makers.models import Maker
from makers.staff_selectors import maker_facts as build_facts

register = template.Library()


@register.inclusion_tag("makers/staff/maker_facts.html")
def maker_facts(maker: Maker) -> dict:
    return {"facts": build_facts(maker)}
