"""The error summary every form shows at the top (templates/includes/form_errors.html)."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string


class AskingForm(forms.Form):
    age = forms.CharField(label="How old are you?")
    postcode = forms.CharField(label="Postcode")
    size = forms.ChoiceField(
        label="Size", choices=[("S", "S"), ("M", "M")], widget=forms.RadioSelect
    )
    token = forms.CharField(widget=forms.HiddenInput)


def _summary(data: dict) -> str:
    form = AskingForm(data)
    assert not form.is_valid()
    return render_to_string("includes/form_errors.html", {"form": form})


def test_each_error_links_to_its_field_and_reads_as_a_sentence():
    html = _summary({})
    assert '<a href="#id_age">How old are you? This field is required.</a>' in html
    assert '<a href="#id_postcode">Postcode: This field is required.</a>' in html
    assert "?:" not in html


def test_a_hidden_fields_error_is_listed_once_without_a_link_to_nothing():
    html = _summary({"age": "70", "postcode": "DD1 4HN", "size": "M"})
    assert html.count("This field is required.") == 1
    assert 'href="#id_token"' not in html


def test_a_group_of_radios_links_to_its_first_choice():
    html = _summary({"age": "70", "postcode": "DD1 4HN", "token": "t"})
    assert '<a href="#id_size_0">Size: This field is required.</a>' in html
