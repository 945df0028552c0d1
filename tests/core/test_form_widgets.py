"""Form widgets render with the site's templates: every <select> through our one-template
copy of Django's (templates/django/forms/widgets/select.html), with the HTML Django's own
templates write; every other widget, the admin's too, through Django's own."""

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.forms.renderers import DjangoTemplates, get_default_renderer


class Choices(forms.Form):
    size = forms.ChoiceField(choices=[("S", "Small"), ("M", "Medium & more")])
    point = forms.ChoiceField(
        choices=[("", "Any"), ("Dundee", [("1", "Library"), ("2", "Church hall")])],
        widget=forms.Select(attrs={"class": "form-select", "aria-invalid": True, "x": False}),
    )
    places = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B"), (3, "<b>C</b>")])
    note = forms.CharField(required=False)
    ok = forms.BooleanField()


def test_selects_come_from_our_copy_and_other_widgets_from_django():
    renderer = get_default_renderer()
    select = renderer.get_template("django/forms/widgets/select.html")
    assert select.origin.name.endswith("/templates/django/forms/widgets/select.html")
    assert "/site-packages/" not in select.origin.name
    assert (
        "/site-packages/django/"
        in renderer.get_template("django/forms/widgets/input.html").origin.name
    )


def test_the_html_is_what_django_templates_would_write():
    data = {"size": "M", "note": "<b>hi</b>", "point": "2", "places": ["a", "3"]}
    ours, theirs = Choices(data), Choices(data, renderer=DjangoTemplates())
    ours.is_valid(), theirs.is_valid()
    for name in ("size", "note", "ok", "point", "places"):
        assert ours[name].as_widget() == theirs[name].as_widget()


def test_a_select_shows_the_chosen_options_selected_and_escapes_labels():
    form = Choices({"size": "M", "point": "2", "places": ["a", "3"]})
    point, size, places = (form[name].as_widget() for name in ("point", "size", "places"))
    assert '<select name="point" class="form-select" aria-invalid required id="id_point">' in point
    assert '<optgroup label="Dundee">' in point
    assert '<option value="2" selected>Church hall</option>' in point
    assert '<option value="1">Library</option>' in point
    assert '<option value="M" selected>Medium &amp; more</option>' in size
    assert '<select name="places" required id="id_places" multiple>' in places
    assert '<option value="a" selected>A</option>' in places
    assert '<option value="b">B</option>' in places
    assert '<option value="3" selected>&lt;b&gt;C&lt;/b&gt;</option>' in places


def test_an_admin_widget_still_renders():
    html = AdminDateWidget().render("day", None)
    assert 'name="day"' in html and "vDateField" in html
