"""`{% jinja2 "hubs/kit_rows.html" kits=page.object_list %}`: a part of a Django template
page rendered by Jinja2 (templates in an app's `jinja2/` folder, environment in
`scrubhub.jinja2_env`).

For the parts that repeat: a list's 50 rows cost half as much in Jinja2, which compiles
templates to Python, as in Django's engine. The page around them (layout, navigation,
forms) stays a Django template. The fragment sees only the values passed to it and
`request`."""

from django import template
from django.template import engines
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja2(context, template_name: str, **values) -> str:
    fragment = engines["jinja2"].get_template(template_name)
    # Jinja2 has escaped every value itself (scrubhub.jinja2_env turns autoescape on).
    return mark_safe(fragment.render(values, request=context.get("request")))  # noqa: S308  # nosec B308, B703
