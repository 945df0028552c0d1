"""Form widgets render through Jinja2 where Django ships a Jinja2 template for them, and
through Django templates otherwise, with the same HTML either way."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as JinjaTemplate

from scrubhub.forms_renderer import WidgetRenderer


class Choices(forms.Form):
    size = forms.ChoiceField(choices=[("S", "Small"), ("M", "Medium & more")])
    point = forms.ChoiceField(
        choices=[("", "Any"), ("Dundee", [("1", "Library"), ("2", "Church hall")])],
        widget=forms.Select(attrs={"class": "form-select", "aria-invalid": True, "x": False}),
    )
    places = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])
    note = forms.CharField(required=False)
    ok = forms.BooleanField()


def test_the_site_renders_widgets_with_it():
    assert isinstance(get_default_renderer(), WidgetRenderer)


def test_built_in_widgets_come_from_jinja2_and_others_from_django_templates():
    renderer = WidgetRenderer()
    assert isinstance(renderer.get_template("django/forms/widgets/input.html"), JinjaTemplate)
    select = renderer.get_template("django/forms/widgets/select.html")
    assert select.template.name == "scrubhub/widgets/select.html"
    assert isinstance(renderer.get_template("admin/widgets/date.html"), DjangoTemplate)


def test_the_html_is_what_django_templates_would_write():
    data = {"size": "M", "note": "<b>hi</b>", "point": "2", "places": ["a", "b"]}
    ours, theirs = Choices(data), Choices(data, renderer=DjangoTemplates())
    ours.is_valid(), theirs.is_valid()
    for name in ("size", "note", "ok", "point", "places"):
        # Whitespace between tags differs; the markup does not.
        assert ours[name].as_widget().split() == theirs[name].as_widget().split()
    assert '<optgroup label="Dundee">' in ours["point"].as_widget()
    assert '<option value="2" selected>Church hall</option>' in ours["point"].as_widget()
    assert "&lt;b&gt;hi&lt;/b&gt;" in ours["note"].as_widget()
    assert "Medium &amp; more" in ours["size"].as_widget()
    assert 'value="M" selected' in ours["size"].as_widget()


def test_a_widget_with_only_a_django_template_still_renders():
    html = AdminDateWidget().render("day", None, renderer=WidgetRenderer())
    assert 'name="day"' in html and "vDateField" in html
