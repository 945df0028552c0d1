"""The shared date box (scrubhub.form_fields.DateField)."""

import datetime

from django import forms

from scrubhub.form_fields import DateField
from scrubhub.hubs.team_forms import HubSettingsForm


class _Form(forms.Form):
    day = DateField(label="Day", required=False)


def test_a_date_box_starts_with_its_date_in_the_only_format_the_box_shows():
    html = str(_Form(initial={"day": datetime.date(2026, 12, 31)})["day"])
    assert 'type="date"' in html
    assert 'value="2026-12-31"' in html


def test_a_date_box_takes_what_the_browser_sends_and_says_what_to_type_otherwise():
    assert _Form({"day": "2026-12-31"}).is_valid()
    form = _Form({"day": "next Tuesday"})
    assert not form.is_valid()
    assert form.errors["day"] == ["Enter a date, like 31/12/2026."]


def test_the_hub_stand_down_date_shows_the_date_already_set():
    field = HubSettingsForm.base_fields["stand_down_on"]
    html = field.widget.render("stand_down_on", datetime.date(2027, 6, 30))
    assert 'value="2027-06-30"' in html
