"""Forms for the hub staff's maker-group pages. They check what was typed; the rules (and
the leader's contact as we keep it) live in makers.services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from makers.forms import PlainForm
from makers.models import MakerGroup
from makers.selectors import GROUP_VIEWS
from scrubhub.query import QueryForm

GROUP_SHOW = [
    ("", _("Groups sewing now, and paused ones")),
    ("paused", _("Paused groups")),
    ("closed", _("Closed groups")),
    ("all", _("Every group")),
]
# Every choice must be a view the selector knows, and every view a choice.
if {value for value, _label in GROUP_SHOW} != set(GROUP_VIEWS):
    raise ImportError("GROUP_SHOW and makers.selectors.GROUP_VIEWS disagree")


class GroupsQuery(QueryForm):
    show = forms.ChoiceField(choices=GROUP_SHOW, required=False)


class GroupsFilterForm(PlainForm):
    """The choice above the list (GET): a wrong value shows the default list."""

    show = forms.ChoiceField(label=_("Show"), choices=GROUP_SHOW, required=False)


class GroupForm(PlainForm):
    required_messages = {
        "name": _("Give the group's name."),
        "leader_name": _("Give the name of the group's leader."),
        "leader_contact": _("Give the leader's phone number or email address."),
        "member_count": _("Say how many people sew in the group."),
        "capacity_sets_per_week": _("Say about how many sets the group makes a week (0 is fine)."),
    }

    name = forms.CharField(label=_("Group name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of group"), choices=MakerGroup.Kind.choices)
    leader_name = forms.CharField(label=_("Leader's name"), max_length=200)
    leader_contact = forms.CharField(
        label=_("Leader's phone number or email"),
        max_length=200,
        help_text=_(
            "How the hub reaches the leader, for example 07700 900123. It does not change "
            "the email they sign in with."
        ),
    )
    member_count = forms.IntegerField(
        label=_("People in the group"),
        min_value=1,
        max_value=10_000,
        error_messages={"min_value": _("A group needs at least one member.")},
    )
    capacity_sets_per_week = forms.IntegerField(
        label=_("Sets they make in a week, about"),
        min_value=0,
        max_value=100_000,
        error_messages={"min_value": _("Give the sets a week as 0 or more.")},
    )

    @staticmethod
    def initial_for(group: MakerGroup) -> dict:
        return {name: getattr(group, name) for name in GroupForm.base_fields}
