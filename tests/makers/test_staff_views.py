"""The hub staff's volunteer pages end to end: batch decisions, the roster's search, filters
and CSV, a maker's page, signing up, paper forms, merging and problems. Bad input changes
nothing; lists keep their query count at 10 and 1,000 makers."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from makers import services
from makers.models import KitProblem, Maker
from makers.staff_forms import PaperFormsToken, SignUpForm
from packages import services as packages
from scrubhub.audit.models import AuditEvent
from scrubhub.notifications.models import Message
from tests import factories
from tests.once import token
from tests.querycount import assert_same_queries_at_sizes

S = Maker.Status
APPLICANTS = reverse("makers:staff_applicants")
DECIDE = reverse("makers:staff_applicants_decide")
ROSTER = reverse("makers:staff_roster")


@pytest.fixture
def staff_client(client_for):
    return client_for("hub_staff")


def _applicant(world, name, **extra):
    return services.maker_apply(
        hub=world.hub,
        name=name,
        postcode=extra.pop("postcode", "DD1 4HN"),
        email=f"{name.split()[0].lower()}@example.org",
        **extra,
    )


def test_applicants_page_lists_only_this_hubs_applicants(world, staff_client):
    _applicant(world, "Agnes Waiting")
    services.maker_apply(
        hub=world.other_hub, name="Fife Person", postcode="KY1 1AA", email="f@x.org"
    )
    page = staff_client.get(APPLICANTS).content.decode()
    assert "Agnes Waiting" in page
    assert "Fife Person" not in page
    assert "1 person is waiting" in page


def test_approve_the_ticked_applicants(world, staff_client):
    a, b, c = (_applicant(world, f"{n} Person") for n in ("Ann", "Bob", "Cat"))
    response = staff_client.post(DECIDE, {"decision": "approve", "makers": [a.pk, b.pk]})
    assert response.status_code == 302
    statuses = dict(Maker.objects.filter(pk__in=[a.pk, b.pk, c.pk]).values_list("name", "status"))
    assert statuses == {"Ann Person": S.APPROVED, "Bob Person": S.APPROVED, "Cat Person": S.APPLIED}
    assert Message.objects.filter(kind="maker_approved").count() == 2
    follow = staff_client.get(response.url).content.decode()
    assert "2 people are approved" in follow


def test_approve_everyone_the_filter_shows(world, staff_client):
    older = [_applicant(world, f"Old {i}", age_band=Maker.AgeBand.OVER_70) for i in range(3)]
    young = _applicant(world, "Young One")
    page = staff_client.get(APPLICANTS, {"age_band": Maker.AgeBand.OVER_70}).content.decode()
    assert "Approve all 3 people this list shows" in page
    asked = staff_client.post(
        DECIDE, {"scope": "matching", "expected": 3, "age_band": Maker.AgeBand.OVER_70}
    )
    assert "Approve all 3 people?" in asked.content.decode()
    assert not Maker.objects.filter(pk__in=[m.pk for m in older], status=S.APPROVED).exists()
    response = staff_client.post(DECIDE, confirmation(asked))
    assert response.status_code == 302
    assert "age_band=70_plus" in response.url
    assert {m.status for m in Maker.objects.filter(pk__in=[m.pk for m in older])} == {S.APPROVED}
    young.refresh_from_db()
    assert young.status == S.APPLIED


def confirmation(page) -> dict:
    """What the confirmation page's form posts (its hidden fields)."""
    import re

    html = page.content.decode()
    form = html[html.index('<form method="post" action="' + DECIDE) :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def test_approving_everyone_refuses_when_the_list_changed_after_the_confirmation(
    world, staff_client
):
    people = [_applicant(world, f"Person {i}") for i in range(2)]
    asked = staff_client.post(DECIDE, {"scope": "matching", "expected": 2})
    assert "Approve all 2 people?" in asked.content.decode()
    assert "Yes, approve all 2 people" in asked.content.decode()
    # Meanwhile a colleague declines one and somebody new joins: still two, not the same two.
    services.maker_decline(maker=people[0], actor=world.user("coordinator"))
    swapped = _applicant(world, "New Person")
    response = staff_client.post(DECIDE, confirmation(asked), follow=True)
    assert "The list changed after you checked it" in response.content.decode()
    people[1].refresh_from_db()
    swapped.refresh_from_db()
    assert people[1].status == S.APPLIED
    assert swapped.status == S.APPLIED


def test_approving_everyone_refuses_a_forged_selection(world, staff_client):
    person = _applicant(world, "Person One")
    asked = staff_client.post(DECIDE, {"scope": "matching", "expected": 1})
    data = {**confirmation(asked), "selection": "forged"}
    response = staff_client.post(DECIDE, data, follow=True)
    assert "The list changed after you checked it" in response.content.decode()
    person.refresh_from_db()
    assert person.status == S.APPLIED


def test_approving_everyone_refuses_when_the_list_changed(world, staff_client):
    people = [_applicant(world, f"Person {i}") for i in range(2)]
    _applicant(world, "Late Comer")  # joined while staff looked at a list of two
    response = staff_client.post(DECIDE, {"scope": "matching", "expected": 2}, follow=True)
    assert "The list changed while you were looking at it: it now shows 3" in (
        response.content.decode()
    )
    assert not Maker.objects.filter(pk__in=[p.pk for p in people], status=S.APPROVED).exists()


def test_one_row_button_decides_for_that_person_only(world, staff_client):
    a, b = _applicant(world, "Ann Row"), _applicant(world, "Bob Row")
    staff_client.post(DECIDE, {"one": f"decline-{b.pk}", "makers": [a.pk]})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (S.APPLIED, S.DECLINED)
    assert Message.objects.filter(kind="maker_declined", to_address=b.email).exists()


def test_declining_many_asks_first(world, staff_client):
    a, b = _applicant(world, "Ann Many"), _applicant(world, "Bob Many")
    asked = staff_client.post(DECIDE, {"decision": "decline", "makers": [a.pk, b.pk]})
    assert asked.status_code == 200
    assert "Decline 2 people?" in asked.content.decode()
    assert Maker.objects.filter(status=S.DECLINED).count() == 0
    staff_client.post(
        DECIDE,
        {"decision": "decline", "makers": [a.pk, b.pk], "confirmed": "yes", "reason": "Full"},
    )
    assert Maker.objects.filter(pk__in=[a.pk, b.pk], status=S.DECLINED).count() == 2


def test_nothing_ticked_changes_nothing(world, staff_client):
    person = _applicant(world, "Ann Nothing")
    response = staff_client.post(DECIDE, {"decision": "approve"}, follow=True)
    assert "Tick at least one person first" in response.content.decode()
    person.refresh_from_db()
    assert person.status == S.APPLIED


# --- The roster ------------------------------------------------------------------------------


@pytest.fixture
def roster(world):
    point = factories.PointFactory(hub=world.hub, name="Hilltown point")
    return {
        "ann": factories.MakerFactory(
            hub=world.hub,
            name="Ann Smith",
            phone="07700 900111",
            postcode="DD2 3AB",
            experience="professional",
            sets_per_week=3,
            preferred_point=point,
        ),
        "bob": factories.MakerFactory(
            hub=world.hub,
            name="Bob Jones",
            phone="01382 444555",
            postcode="DD4 7XY",
            sets_per_week=0,
        ),
        "gone": factories.MakerFactory(hub=world.hub, name="Gone Away", status=S.WITHDRAWN),
        "fife": factories.MakerFactory(hub=world.other_hub, name="Ann Fife"),
        "point": point,
    }


def _names(response) -> set[str]:
    return {m.name for m in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "ann"}, {"Ann Smith"}),
        ({"q": "dd23ab"}, {"Ann Smith"}),
        ({"q": "DD4 7"}, {"Bob Jones"}),
        ({"q": "+44 1382 444"}, {"Bob Jones"}),
        ({"q": "900111"}, {"Ann Smith"}),
        ({"experience": "professional"}, {"Ann Smith"}),
        ({"min_sets": 2}, {"Ann Smith"}),
        ({"status": "withdrawn"}, {"Gone Away"}),
    ],
)
def test_roster_search_and_filters(world, staff_client, roster, query, expected):
    response = staff_client.get(ROSTER, query)
    assert _names(response) == expected


def test_roster_ignores_a_point_of_another_hub(world, staff_client, roster):
    theirs = factories.PointFactory(hub=world.other_hub, name="Fife hall")
    response = staff_client.get(ROSTER, {"point": theirs.pk})
    assert _names(response) == _names(staff_client.get(ROSTER))  # dropped, not used
    assert "Fife hall" not in response.content.decode()  # nor offered


def test_roster_filters_by_point_and_free_capacity(world, staff_client, roster):
    assert _names(staff_client.get(ROSTER, {"point": roster["point"].pk})) == {"Ann Smith"}
    free = _names(staff_client.get(ROSTER, {"free_capacity": "on"}))
    assert "Ann Smith" in free and "Bob Jones" not in free  # Bob said 0 sets a week
    # A kit of 5 to sew fills most of Ann's 3 sets (6 garments) a week; two fill it.
    staff = world.user("hub_staff")
    for kit in factories.prepared_kits(hub=world.hub, actor=staff, kit_count=2, garments=3):
        packages.kit_allocate(kit=kit, maker=roster["ann"], actor=staff)
    assert "Ann Smith" not in _names(staff_client.get(ROSTER, {"free_capacity": "on"}))
    row = next(
        m for m in staff_client.get(ROSTER).context["page"].object_list if m.name == "Ann Smith"
    )
    assert (row.kits_held, row.free_garments) == (2, 0)


def test_roster_default_leaves_out_people_who_left(world, staff_client, roster):
    names = _names(staff_client.get(ROSTER))
    assert {"Ann Smith", "Bob Jones"} <= names
    assert "Gone Away" not in names and "Ann Fife" not in names


def test_roster_csv_is_filtered_neutralises_formulas_and_is_audited(world, staff_client, roster):
    factories.MakerFactory(hub=world.hub, name="=HYPERLINK(1)", postcode="DD1 1AA")
    response = staff_client.get(reverse("makers:staff_roster_csv"), {"q": "DD"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Record", "Name", "Status"]
    names = {row[1] for row in rows[1:]}
    assert "'=HYPERLINK(1)" in names
    assert "Ann Smith" in names and "Ann Fife" not in names
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.actor, event.hub) == (world.user("hub_staff"), world.hub)


def test_roster_csv_is_not_for_makers_or_laundry(world, client_for):
    url = reverse("makers:staff_roster_csv")
    for persona in ("maker", "laundry", "driver"):
        assert client_for(persona).get(url).status_code == 403
    assert not AuditEvent.objects.exists()


# --- One maker -------------------------------------------------------------------------------


def test_maker_page_shows_details_record_and_is_audited(world, staff_client):
    maker = Maker.objects.get(user=world.user("maker"))
    staff = world.user("hub_staff")
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, maker=maker, actor=staff)
    packages.kit_collect(kit=kit, actor=staff)
    packages.garments_return(kit=kit, count=5, actor=staff)
    packages.quality_check_record(
        kit=kit,
        passed=4,
        failures=[packages.Failure(reason="seams", count=1)],
        failed_outcome="written_off",
        actor=staff,
    )
    page = staff_client.get(reverse("makers:staff_maker", args=[maker.pk])).content.decode()
    assert maker.name in page and maker.phone in page and maker.email in page
    assert "Passed the check: 80% (4 passed, 1 failed)" in page
    assert "On time: 1 of 1 kit came back within 7 days." in page
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEWED)
    assert event.subject_id == maker.pk


def test_staff_log_progress_for_a_maker(world, staff_client):
    maker = Maker.objects.get(user=world.user("maker"))
    staff = world.user("hub_staff")
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, maker=maker, actor=staff)
    packages.kit_collect(kit=kit, actor=staff)
    url = reverse("makers:staff_maker_progress", args=[maker.pk, kit.code])
    bad = staff_client.post(url, {f"kit{kit.pk}-finished": 9, f"kit{kit.pk}-seen": 0})
    assert bad.status_code == 400
    assert "There is a problem" in bad.content.decode()
    kit.refresh_from_db()
    assert kit.finished_count == 0
    good = staff_client.post(url, {f"kit{kit.pk}-finished": 3, f"kit{kit.pk}-seen": 0})
    assert good.status_code == 302
    kit.refresh_from_db()
    assert kit.finished_count == 3


def test_status_buttons_pause_and_resume(world, staff_client):
    maker = Maker.objects.get(user=world.user("maker"))
    url = reverse("makers:staff_maker_status", args=[maker.pk])
    staff_client.post(url, {"action": "pause"})
    maker.refresh_from_db()
    assert maker.status == S.PAUSED
    staff_client.post(url, {"action": "resume"})
    maker.refresh_from_db()
    assert maker.status == S.APPROVED


def test_change_details_bad_input_changes_nothing(world, staff_client):
    maker = Maker.objects.get(user=world.user("maker"))
    url = reverse("makers:staff_maker_change", args=[maker.pk])
    response = staff_client.post(url, {"name": "", "postcode": "nowhere", "sets_per_week": 2})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "Enter their full name." in body
    assert Maker.objects.get(pk=maker.pk).name == maker.name
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CHANGED).exists()


def test_erase_needs_the_box_ticked(world, staff_client):
    maker = factories.MakerFactory(hub=world.hub)
    url = reverse("makers:staff_maker_erase", args=[maker.pk])
    assert staff_client.post(url, {}).status_code == 400
    assert Maker.objects.get(pk=maker.pk).status == S.APPROVED
    assert staff_client.post(url, {"confirm": "on"}).status_code == 302
    assert Maker.objects.get(pk=maker.pk).status == S.ERASED


def test_merge_pages_find_the_duplicate_and_merge(world, staff_client):
    first = factories.MakerFactory(hub=world.hub, name="Isa Kerr", phone="07700 900777", email="")
    second = factories.MakerFactory(hub=world.hub, name="Isa Kerr", phone="", email="isa@x.org")
    url = reverse("makers:staff_maker_merge", args=[first.pk])
    choose = staff_client.get(url)
    assert [m.pk for m in choose.context["duplicates"]] == [second.pk]
    compare = staff_client.get(url, {"other": second.pk})
    assert compare.status_code == 200
    unticked = staff_client.post(url, {"other": second.pk, "keep": first.pk})
    assert unticked.status_code == 400
    assert Maker.objects.get(pk=second.pk).status == S.APPROVED
    done = staff_client.post(url, {"other": second.pk, "keep": first.pk, "confirm": "on"})
    assert done.status_code == 302
    assert Maker.objects.get(pk=second.pk).status == S.ERASED
    assert Maker.objects.get(pk=first.pk).email == "isa@x.org"


def test_merge_with_another_hubs_maker_is_a_404(world, staff_client):
    mine = factories.MakerFactory(hub=world.hub)
    theirs = factories.MakerFactory(hub=world.other_hub)
    url = reverse("makers:staff_maker_merge", args=[mine.pk])
    assert staff_client.get(url, {"other": theirs.pk}).status_code == 404
    response = staff_client.post(url, {"other": theirs.pk, "keep": mine.pk, "confirm": "on"})
    assert response.status_code == 404
    assert Maker.objects.get(pk=theirs.pk).status == S.APPROVED


# --- Signing people up -------------------------------------------------------------------------


def _sign_up_data(**extra):
    data = {
        "name": "Jean Watt",
        "phone": "07700 900321",
        "postcode": "dd2 1aa",
        "age_band": Maker.AgeBand.OVER_70,
        "experience": Maker.Experience.CONFIDENT,
        "has_sewing_machine": "yes",
        "sets_per_week": 2,
        "agreed": "on",
    }
    data.update(extra)
    return data


def test_sign_up_page_signs_someone_up(world, staff_client):
    response = staff_client.post(
        reverse("makers:staff_sign_up"), _sign_up_data(approve="on") | token(SignUpForm)
    )
    maker = Maker.objects.get(name="Jean Watt")
    assert response.url == reverse("makers:staff_maker", args=[maker.pk])
    assert (maker.status, maker.phone, maker.email) == (S.APPROVED, "07700 900321", "")


def test_sign_up_page_bad_input_saves_nothing(world, staff_client):
    response = staff_client.post(
        reverse("makers:staff_sign_up"),
        _sign_up_data(phone="", agreed="", age_band=Maker.AgeBand.UNDER_18),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter their phone number." in body
    assert "Give the name of their parent or guardian." in body
    assert "Tick the box to say they agreed" in body
    assert not Maker.objects.filter(name="Jean Watt").exists()


def _paper_data(rows: list[dict]) -> dict:
    data = {
        "form-TOTAL_FORMS": len(rows),
        "form-INITIAL_FORMS": 0,
        "form-MIN_NUM_FORMS": 1,
        "form-MAX_NUM_FORMS": 40,
        **token(PaperFormsToken),
    }
    for i, row in enumerate(rows):
        data.update({f"form-{i}-{key}": value for key, value in row.items()})
    return data


def test_paper_forms_save_every_filled_row(world, staff_client):
    rows = [
        _sign_up_data(name="Row One", phone="07700 900001"),
        {"sets_per_week": 1},  # an empty row
        _sign_up_data(name="Row Two", phone="01382 900002"),
    ]
    response = staff_client.post(reverse("makers:staff_paper_forms"), _paper_data(rows))
    assert response.status_code == 302
    assert set(Maker.objects.filter(name__startswith="Row ").values_list("name", flat=True)) == {
        "Row One",
        "Row Two",
    }


def test_paper_forms_with_one_bad_row_save_nobody(world, staff_client):
    rows = [
        _sign_up_data(name="Row One", phone="07700 900001"),
        _sign_up_data(name="Row Two", postcode="nowhere"),
    ]
    response = staff_client.post(reverse("makers:staff_paper_forms"), _paper_data(rows))
    assert response.status_code == 400
    assert "Row 2, their postcode: Enter a full UK postcode" in response.content.decode()
    assert not Maker.objects.filter(name__startswith="Row ").exists()


def test_paper_forms_with_a_double_entry_say_which_row(world, staff_client):
    rows = [_sign_up_data(name="Row One"), _sign_up_data(name="Row One")]
    response = staff_client.post(reverse("makers:staff_paper_forms"), _paper_data(rows))
    assert response.status_code == 400
    assert "Row 2: Row One with the phone number" in response.content.decode()
    assert not Maker.objects.filter(name="Row One").exists()


# --- Problems --------------------------------------------------------------------------------


@pytest.fixture
def problem(world):
    maker = Maker.objects.get(user=world.user("maker"))
    staff = world.user("hub_staff")
    (kit,) = factories.prepared_kits(hub=world.hub, actor=staff)
    packages.kit_allocate(kit=kit, maker=maker, actor=staff)
    packages.kit_collect(kit=kit, actor=staff)
    return services.kit_problem_report(
        maker=maker,
        kit=kit,
        kind=KitProblem.Kind.MISSING_PIECES,
        text="No sleeves",
        actor=maker.user,
    )


def test_problems_list_answer_and_resolve(world, staff_client, problem):
    listed = staff_client.get(reverse("makers:staff_problems"))
    assert [p.pk for p in listed.context["page"].object_list] == [problem.pk]
    url = reverse("makers:staff_problem", args=[problem.pk])
    assert staff_client.post(url, {"answer": "  "}).status_code == 400
    assert staff_client.post(url, {"answer": "New sleeves are at the library."}).status_code == 302
    problem.refresh_from_db()
    assert problem.status == KitProblem.Status.ANSWERED
    sent = Message.objects.filter(kind__startswith="maker_kit-problem").get()
    assert "New sleeves are at the library." in sent.body
    staff_client.post(reverse("makers:staff_problem_resolve", args=[problem.pk]))
    problem.refresh_from_db()
    assert problem.status == KitProblem.Status.RESOLVED
    assert not staff_client.get(reverse("makers:staff_problems")).context["page"].object_list
    resolved = staff_client.get(reverse("makers:staff_problems"), {"show": "resolved"})
    assert [p.pk for p in resolved.context["page"].object_list] == [problem.pk]


# --- Query counts ------------------------------------------------------------------------------


@pytest.fixture
def grow_makers(world):
    """grow(n) brings the hub's applicants, approved makers (some with a kit) and open
    problems up to n each."""
    staff = world.user("hub_staff")

    def grow(n: int) -> None:
        for status in (S.APPLIED, S.APPROVED):
            have = Maker.objects.filter(hub=world.hub, status=status).count()
            Maker.objects.bulk_create(
                Maker(
                    hub=world.hub,
                    name=f"Maker {status} {i}",
                    phone=f"07700 9{i:05d}",
                    postcode="DD1 4HN",
                    status=status,
                    preferred_point=world.point,
                )
                for i in range(have, n)
            )
        have = KitProblem.objects.filter(kit__hub=world.hub).count()
        if have < n:
            holders = list(Maker.objects.filter(hub=world.hub, status=S.APPROVED)[:3])
            kits = factories.prepared_kits(hub=world.hub, actor=staff, kit_count=len(holders))
            for kit, holder in zip(kits, holders, strict=True):
                packages.kit_allocate(kit=kit, maker=holder, actor=staff)
                packages.kit_collect(kit=kit, actor=staff)
            KitProblem.objects.bulk_create(
                KitProblem(maker=holders[i % 3], kit=kits[i % 3], kind="other", text="?")
                for i in range(have, n)
            )

    return grow


@pytest.mark.parametrize(
    "url",
    [
        ROSTER,
        ROSTER + "?free_capacity=on&q=maker",
        APPLICANTS,
        APPLICANTS + "?age_band=18_69",
        reverse("makers:staff_problems"),
        reverse("makers:staff_problems") + "?show=all",
    ],
)
def test_lists_make_the_same_queries_at_10_and_1000_makers(staff_client, grow_makers, url):
    assert_same_queries_at_sizes(staff_client, url, grow_makers)
