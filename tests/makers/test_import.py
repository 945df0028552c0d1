"""Bringing in a hub's own spreadsheet of volunteers (issue 23): upload a CSV or XLSX, say
what the columns are, see each row's problems in words, import everyone or nobody, match
people the hub already has, and the welcome's stay and leave links."""

from __future__ import annotations

import io
import re
import tempfile
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from makers import services
from makers.imports import guess_columns
from makers.models import Consent, ImportBatch, ImportedMaker, Maker
from makers.services import ImportRefused, MakerError
from makers.sheets import MAX_CELL, SheetError, sheet_read
from makers.staff_forms import ImportUploadForm
from scrubhub.audit.models import AuditEvent
from scrubhub.notifications.models import Message
from tests import factories
from tests.once import token

UPLOAD = reverse("makers:staff_import")
HEADINGS = "Full name,Email,Mobile,Postcode,Age 16-17,Guardian name,Guardian phone\n"
GOOD_ROWS = (
    "Ann Weaver,ann@example.org,07700 900101,DD1 4HN,no,,\n"
    "Bob Stitch,,07700 900102,dd2 3ab,,,\n"
    "Cat Hem,cat@example.org,,,yes,Dee Hem,07700 900199\n"
)


def _csv(text: str, name: str = "volunteers.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _xlsx(rows: list[list], name: str = "volunteers.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(
        name,
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _counts() -> dict[str, int]:
    ours = {"makers", "audit", "notifications"}
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label in ours and m is not ImportBatch
    }


@pytest.fixture
def staff(client_for):
    return client_for("hub_staff")


def _upload(client, upload) -> object:
    return client.post(UPLOAD, {"sheet": upload, **token(ImportUploadForm)})


def _uploaded(client, upload) -> ImportBatch:
    response = _upload(client, upload)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportBatch.objects.latest("pk")


def _check_url(batch) -> str:
    return reverse("makers:staff_import_check", kwargs={"pk": batch.pk})


def _import(client, batch, basis="paper_form", **extra):
    return client.post(_check_url(batch), {"contact_basis": basis, **extra})


# --- Reading files -------------------------------------------------------------------------


def test_a_csv_is_uploaded_and_its_columns_guessed_from_the_headings(staff, world):
    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    assert batch.headers[:3] == ["Full name", "Email", "Mobile"]
    assert batch.columns == [
        "name",
        "email",
        "phone",
        "postcode",
        "under_18",
        "guardian_name",
        "guardian_contact",
    ]
    assert [number for number, _cells in batch.rows] == [2, 3, 4]
    page = staff.get(reverse("makers:staff_import_columns", kwargs={"pk": batch.pk}))
    assert page.status_code == 200
    assert "ann@example.org" in page.content.decode()  # examples under each column


def test_headings_are_guessed_the_way_people_write_them():
    assert guess_columns(
        ["Name", "E-mail address", "Phone", "Post code", "Age", "Timestamp", "Surname"]
    ) == ["name", "email", "phone", "postcode", "age", "", "last_name"]
    assert guess_columns(["First name", "Last name", "Telephone", "Parent's email"]) == [
        "first_name",
        "last_name",
        "phone",
        "guardian_contact",
    ]


def test_an_xlsx_built_with_openpyxl_is_read_with_numbers_as_text(staff, world):
    batch = _uploaded(
        staff,
        _xlsx(
            [
                ["Name", "Email", "Phone", "Sets a week"],
                ["Ann Weaver", "ann@example.org", 7700900101, 2],
                [None, None, None, None],
                ["Bob Stitch", None, "07700 900102", 1.0],
            ]
        ),
    )
    assert batch.rows == [
        [2, ["Ann Weaver", "ann@example.org", "7700900101", "2"]],
        [4, ["Bob Stitch", "", "07700 900102", "1"]],
    ]
    response = _import(staff, batch)
    assert response.status_code == 302
    ann = Maker.objects.get(hub=world.hub, email="ann@example.org")
    # Excel drops the 0 a phone number starts with; the import puts it back.
    assert ann.phone == "07700 900101" and ann.sets_per_week == 2


def test_a_latin1_csv_is_read_as_windows_text_and_says_so(staff, world):
    text = "Name;Email\nZoë Brontë;zoe@example.org\nSeán Ó Sé;sean@example.org\n"
    batch = _uploaded(staff, _csv(text, encoding="latin-1"))
    assert batch.rows[0][1] == ["Zoë Brontë", "zoe@example.org"]
    assert "not saved as UTF-8" in batch.note
    assert "not saved as UTF-8" in staff.get(_check_url(batch)).content.decode()


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20, "not a spreadsheet"),
        (bytes(range(256)) * 40, "not a spreadsheet"),
        (b"PK\x03\x04 not really a zip at all", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "older Excel file"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
        (b"", "empty"),
        (b"Name,Email\n", "no people"),
    ],
    ids=["png", "binary-junk", "fake-zip", "old-xls", "pdf", "empty", "headings-only"],
)
def test_a_file_that_is_not_a_sheet_is_refused_in_words_and_changes_nothing(
    staff, world, data, said
):
    before = _counts()
    response = _upload(staff, SimpleUploadedFile("people.csv", data))
    assert response.status_code == 400
    assert said in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert _counts() == before


def test_a_huge_cell_is_refused_naming_its_row_and_column(staff, world):
    text = HEADINGS + GOOD_ROWS + "Dan Seam,dan@example.org,," + "x" * 200_000 + ",,,\n"
    response = _upload(staff, _csv(text))
    assert response.status_code == 400
    body = response.content.decode()
    assert "row 5, column D (“Postcode”)" in body
    assert f"{MAX_CELL:,}" in body
    assert not ImportBatch.objects.exists()


def test_a_huge_cell_in_a_workbook_is_refused_too():
    book = Workbook()
    book.active.append(["Name", "Notes"])
    book.active.append(["Ann", "y" * (MAX_CELL + 1)])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(SheetError, match="row 2, column B"):
        sheet_read(data=out.getvalue(), file_name="big.xlsx")


def test_a_50_mb_upload_is_refused_before_its_body_is_read(staff, world):
    with tempfile.TemporaryFile() as big:
        big.write(HEADINGS.encode())
        line = b"Ann Weaver,ann@example.org,07700 900101,DD1 4HN,no,,\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            big.write(line)
        big.seek(0)
        response = staff.post(UPLOAD, {"sheet": big, **token(ImportUploadForm)})
    assert response.status_code == 413
    assert "too big (50" in response.content.decode()
    assert "The most we take is 5 MB" in response.content.decode()
    # Nothing read the form: not even the CSRF check went through it.
    assert not hasattr(response.wsgi_request, "_files")
    assert not ImportBatch.objects.exists()


def test_a_file_just_over_the_limit_is_refused_by_the_form(staff, world, settings):
    settings.SCRUBHUB_IMPORT_MAX_BYTES = 1000
    response = _upload(staff, _csv(HEADINGS + GOOD_ROWS * 10))
    assert response.status_code in (400, 413)
    assert "too big" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_the_upload_still_checks_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("hub_staff"))
    response = client.post(UPLOAD, {"sheet": _csv(HEADINGS + GOOD_ROWS), **token(ImportUploadForm)})
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()


# --- Formulas ------------------------------------------------------------------------------


def test_formula_cells_in_a_workbook_are_kept_as_text_and_refused_by_row(staff, world):
    batch = _uploaded(
        staff,
        _xlsx(
            [
                ["Name", "Email", "Phone", "Notes"],
                ["Ann Weaver", "ann@example.org", "", "=1+1"],  # a column left out: fine
                ['=HYPERLINK("http://evil.example","Click")', "bob@example.org", "", ""],
                ["Cat Hem", "=A2", "", ""],
            ]
        ),
    )
    assert batch.rows[1][1][0] == '=HYPERLINK("http://evil.example","Click")'
    columns = ["name", "email", "phone", ""]
    services.import_batch_columns_set(batch=batch, columns=columns)
    body = staff.get(_check_url(batch)).content.decode()
    assert "Row 3: the full name “=HYPERLINK(" in body
    assert "looks like a spreadsheet formula" in body
    assert "Row 4: the email address “=A2” looks like a spreadsheet formula" in body
    assert "Row 2" not in body.split("nobody can be imported yet")[1].split("</ul>")[0]
    before = _counts()
    assert _import(staff, batch).status_code == 400
    assert _counts() == before


@pytest.mark.parametrize("cell", ["+SUM(1)", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"])
def test_csv_cells_that_a_spreadsheet_would_run_are_refused(staff, world, cell):
    batch = _uploaded(staff, _csv(f'Name,Email\n"{cell}",x@example.org\n'))
    body = staff.get(_check_url(batch)).content.decode()
    assert "Row 2: the full name" in body and "spreadsheet formula" in body


def test_a_phone_number_starting_with_plus_44_is_not_a_formula(staff, world):
    batch = _uploaded(staff, _csv("Name,Mobile\nAnn Weaver,+44 7700 900101\n"))
    assert _import(staff, batch).status_code == 302
    assert Maker.objects.get(hub=world.hub, name="Ann Weaver").phone == "07700 900101"


# --- Columns -------------------------------------------------------------------------------


def test_columns_must_name_people_and_how_to_reach_them(staff, world):
    batch = _uploaded(staff, _csv("Name,Email,Email again\nAnn,ann@example.org,a@x.org\n"))
    url = reverse("makers:staff_import_columns", kwargs={"pk": batch.pk})
    response = staff.post(url, {"column_0": "", "column_1": "email", "column_2": "email"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "These columns are all set to “Email address”: B, C" in body
    assert "Choose the column with people&#x27;s names." in body
    response = staff.post(url, {"column_0": "name", "column_1": "email", "column_2": ""})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.columns == ["name", "email", ""]


def test_first_and_last_names_make_the_name(staff, world):
    batch = _uploaded(staff, _csv("First name,Surname,Email\nAnn,Weaver,ann@example.org\n"))
    assert _import(staff, batch).status_code == 302
    assert Maker.objects.filter(hub=world.hub, name="Ann Weaver").exists()


# --- Preview and all or nothing --------------------------------------------------------------


def test_the_preview_says_what_is_wrong_with_each_row_in_words(staff, world):
    text = HEADINGS + (
        "Ann Weaver,ann@example.org,07700 900101,DD1 4HN,no,,\n"
        "Bob Stitch,bob@,12345,ZZZ,,,\n"
        ",,,,,,\n"
        "Cat Hem,cat@example.org,,,yes,,\n"
        ",dee@example.org,,,,,\n"
        "Eve Tuck,,,,,,\n"
    )
    batch = _uploaded(staff, _csv(text))
    response = staff.get(_check_url(batch))
    body = response.content.decode()
    assert "Row 3: the email “bob@” is not an email address." in body
    assert "Row 3: the phone number “12345” is not a UK phone number." in body
    assert "Row 3: the postcode “ZZZ” is not a full UK postcode, like DD1 4HN." in body
    assert "Row 5: they are 16 or 17, so we need their parent or guardian&#x27;s name." in body
    assert "Row 6: there is no name." in body
    assert "Row 7: there is no email address or phone number" in body
    assert "Row 2:" not in body and "Row 4:" not in body  # a good row, a blank row
    assert "4 rows have problems, so nobody can be imported yet" in body
    assert "data-error-summary" in body
    assert "Import all" not in body


def test_one_bad_row_imports_nobody_and_says_which_row_and_why(staff, world):
    rows = "".join(f"Maker {n},maker{n}@example.org,,,,,\n" for n in range(1, 30))
    rows += "Bad Row,bob@,,,,,\n"
    batch = _uploaded(staff, _csv(HEADINGS + rows))
    before = _counts()
    with pytest.raises(ImportRefused) as refused:
        services.makers_import(
            batch=batch, contact_basis="paper_form", by_user=world.user("hub_staff")
        )
    assert refused.value.problems == ["Row 31: the email “bob@” is not an email address."]
    response = _import(staff, batch)
    assert response.status_code == 400
    assert "Row 31: the email “bob@” is not an email address." in response.content.decode()
    assert _counts() == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED and batch.row_count == 30


def test_importing_needs_the_basis_for_contacting_people(staff, world):
    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    before = _counts()
    response = staff.post(_check_url(batch), {})
    assert response.status_code == 400
    assert "Choose on what basis the hub may contact" in response.content.decode()
    assert _counts() == before


def test_an_import_adds_everyone_with_their_basis_an_audit_row_and_a_welcome(staff, world):
    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    page = staff.get(_check_url(batch)).content.decode()
    assert "Import all 3 people" in page
    response = _import(staff, batch, basis="online_form")
    assert response.status_code == 302
    assert response["Location"] == reverse("makers:staff_import_done", kwargs={"pk": batch.pk})
    ann, bob, cat = (
        Maker.objects.get(hub=world.hub, name=name)
        for name in ("Ann Weaver", "Bob Stitch", "Cat Hem")
    )
    assert (ann.email, ann.phone, ann.postcode, ann.age_band) == (
        "ann@example.org",
        "07700 900101",
        "DD1 4HN",
        Maker.AgeBand.ADULT,
    )
    assert (bob.postcode, bob.preferred_channel) == ("DD2 3AB", Maker.Channel.SMS)
    assert (cat.age_band, cat.guardian_name, cat.guardian_contact) == (
        Maker.AgeBand.UNDER_18,
        "Dee Hem",
        "07700 900199",
    )
    assert ann.status == Maker.Status.APPLIED
    assert set(Consent.objects.filter(maker=ann).values_list("purpose", "wording_version")) == {
        ("store_details", "import-online_form-v1"),
        ("contact", "import-online_form-v1"),
    }
    welcome = Message.objects.get(kind="import_welcome", to_address="ann@example.org")
    assert "you filled in our online form" in welcome.body
    assert "/welcome/" in welcome.body and "/stay/" in welcome.body and "/leave/" in welcome.body
    assert welcome.body.startswith("Hello Ann Weaver,")
    assert "Hello Ann Weaver," in welcome.html_body and _links(welcome)[0] in welcome.html_body
    assert Message.objects.get(kind="import_welcome", to_address="07700 900102").channel == "sms"
    audit = AuditEvent.objects.get(subject_type="makers.ImportBatch", subject_id=batch.pk)
    assert audit.actor == world.user("hub_staff") and "3 new makers" in audit.detail
    assert "Ann" not in audit.detail
    batch.refresh_from_db()
    assert (batch.status, batch.rows, batch.created_count) == ("imported", [], 3)
    done = staff.get(response["Location"]).content.decode()
    assert "3 new people were added" in done


def test_importing_twice_adds_nobody_twice(staff, world):
    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    assert _import(staff, batch).status_code == 302
    count = Maker.objects.count()
    again = _import(staff, batch)
    assert again.status_code == 302 and again["Location"].endswith("/done/")
    with pytest.raises(MakerError, match="imported already"):
        services.makers_import(
            batch=batch, contact_basis="paper_form", by_user=world.user("hub_staff")
        )
    assert Maker.objects.count() == count


def test_approving_on_import(staff, world):
    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    assert _import(staff, batch, approve="on").status_code == 302
    assert set(
        Maker.objects.filter(hub=world.hub, name__in=["Ann Weaver", "Bob Stitch"]).values_list(
            "status", flat=True
        )
    ) == {Maker.Status.APPROVED}


# --- The same person twice ----------------------------------------------------------------------


def test_a_row_with_an_email_the_hub_has_is_merged_not_added(staff, world):
    known = factories.MakerFactory(
        hub=world.hub, name="Ann Known", email="Ann@Example.org", phone="", postcode=""
    )
    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    page = staff.get(_check_url(batch)).content.decode()
    assert "Row 2 is Ann Known, who is already on your list (the same email address)." in page
    assert "The sheet fills in their phone number, postcode." in page
    assert _import(staff, batch).status_code == 302
    known.refresh_from_db()
    assert known.name == "Ann Known"  # what they gave stays
    assert (known.phone, known.postcode) == ("07700 900101", "DD1 4HN")  # blanks filled
    assert not Maker.objects.filter(name="Ann Weaver").exists()
    record = ImportedMaker.objects.get(maker=known)
    assert record.merged and record.filled == "phone,postcode"
    assert AuditEvent.objects.filter(
        subject_type="makers.Maker", subject_id=known.pk, action="changed"
    ).exists()
    assert not Message.objects.filter(kind="import_welcome", to_address__iexact="ann@example.org")


def test_a_row_with_a_phone_the_hub_has_is_merged_and_their_email_kept(staff, world):
    known = factories.MakerFactory(
        hub=world.hub, name="Bob Known", email="bob@old.example", phone="07700900102"
    )
    batch = _uploaded(staff, _csv("Name,Email,Phone\nBob Stitch,,07700 900102\n"))
    assert _import(staff, batch).status_code == 302
    known.refresh_from_db()
    assert known.email == "bob@old.example" and known.name == "Bob Known"
    assert Maker.objects.filter(hub=world.hub, phone__contains="900102").count() == 1


def test_the_same_phone_with_different_emails_is_two_people_sharing_a_landline(staff, world):
    factories.MakerFactory(
        hub=world.hub, name="Ann Home", email="ann@home.example", phone="01382 123456"
    )
    batch = _uploaded(staff, _csv("Name,Email,Phone\nBob Home,bob@home.example,01382 123456\n"))
    assert _import(staff, batch).status_code == 302
    assert Maker.objects.filter(hub=world.hub, phone="01382 123456").count() == 2


def test_rows_that_are_one_person_are_joined(staff, world):
    text = (
        "Name,Email,Phone,Postcode\n"
        "Ann Weaver,ann@example.org,,\n"
        "Ann W.,ANN@example.org,07700 900101,\n"
        "A Weaver,,07700 900101,DD1 4HN\n"
    )
    batch = _uploaded(staff, _csv(text))
    page = staff.get(_check_url(batch)).content.decode()
    assert "Row 3 has the same email address as row 2, so they are one person." in page
    assert "Row 4 has the same phone number as row 2, so they are one person." in page
    assert _import(staff, batch).status_code == 302
    ann = Maker.objects.get(hub=world.hub, email="ann@example.org")
    assert (ann.name, ann.phone, ann.postcode) == ("Ann Weaver", "07700 900101", "DD1 4HN")
    assert Message.objects.filter(kind="import_welcome").count() == 1


def test_someone_who_left_is_not_added_again_or_messaged(staff, world):
    gone = factories.MakerFactory(hub=world.hub, name="Ann Gone", email="ann@example.org")
    services.maker_withdraw(maker=gone, actor=None)
    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    assert "left the hub before or were declined" in staff.get(
        _check_url(batch)
    ).content.decode() or (
        "left the hub before or was declined" in staff.get(_check_url(batch)).content.decode()
    )
    assert _import(staff, batch).status_code == 302
    gone.refresh_from_db()
    assert gone.status == Maker.Status.WITHDRAWN and gone.phone != "07700 900101"
    assert not Message.objects.filter(kind="import_welcome", to_address="ann@example.org").exists()


def test_another_hubs_maker_with_the_same_email_is_not_matched(staff, world):
    factories.MakerFactory(hub=world.other_hub, name="Ann Fife", email="ann@example.org")
    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    assert _import(staff, batch).status_code == 302
    assert Maker.objects.filter(hub=world.hub, email="ann@example.org").count() == 1


# --- Who sees a batch --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["other_hub_staff", "coordinator"])
def test_only_whoever_uploaded_a_sheet_sees_it(staff, client_for, world, persona):
    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    other = client_for(persona)
    for name in ("staff_import_columns", "staff_import_check"):
        url = reverse(f"makers:{name}", kwargs={"pk": batch.pk})
        assert other.get(url).status_code == 404
        assert other.post(url, {"contact_basis": "paper_form"}).status_code == 404
    assert not Maker.objects.filter(name="Ann Weaver").exists()


def test_an_upload_past_its_day_is_gone_and_pruned(staff, world):
    from datetime import timedelta

    from django.utils import timezone

    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    ImportBatch.objects.filter(pk=batch.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert staff.get(_check_url(batch)).status_code == 410
    before = _counts()
    assert _import(staff, batch).status_code == 410
    assert _counts() == before
    from makers.tasks import prune_import_batches

    assert prune_import_batches() == 1
    assert prune_import_batches() == 0
    assert not ImportBatch.objects.exists()


# --- The welcome's links -----------------------------------------------------------------------


def _links(message: Message) -> tuple[str, str]:
    urls = re.findall(r"https?://\S+", message.body)
    stay = next(u for u in urls if u.endswith("/stay/"))
    leave = next(u for u in urls if u.endswith("/leave/"))
    return urlsplit(stay).path, urlsplit(leave).path


@pytest.fixture
def imported(staff, world):
    batch = _uploaded(staff, _csv(HEADINGS + GOOD_ROWS))
    assert _import(staff, batch).status_code == 302
    return Message.objects.get(kind="import_welcome", to_address="ann@example.org")


def test_the_stay_link_asks_first_then_confirms_them(imported, world):
    stay, _leave = _links(imported)
    anyone = Client()
    page = anyone.get(stay)
    assert page.status_code == 200 and "Yes, keep me on the list" in page.content.decode()
    record = ImportedMaker.objects.get(maker__email="ann@example.org")
    assert record.confirmed_at is None  # opening the link (a mail scanner, say) does nothing
    response = anyone.post(stay)
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.confirmed_at is not None
    assert set(
        Consent.objects.filter(maker=record.maker, withdrawn_at__isnull=True).values_list(
            "purpose", "wording_version"
        )
    ) == {
        ("store_details", services.IMPORT_CONFIRMED_WORDING),
        ("contact", services.IMPORT_CONFIRMED_WORDING),
    }
    assert "you are on the list" in anyone.get(stay).content.decode()
    assert anyone.post(stay).status_code == 302  # twice: one confirmation
    assert Consent.objects.filter(maker=record.maker).count() == 4


def test_the_leave_link_withdraws_them(imported, world):
    _stay, leave = _links(imported)
    anyone = Client()
    assert "Take me off the list" in anyone.get(leave).content.decode()
    assert anyone.post(leave).status_code == 302
    maker = Maker.objects.get(email="ann@example.org")
    assert maker.status == Maker.Status.WITHDRAWN
    assert ImportedMaker.objects.get(maker=maker).left_at is not None
    assert "You are off the list" in anyone.get(leave).content.decode()
    assert anyone.post(leave).status_code == 302  # twice: still withdrawn, no error
    stay_page = anyone.post(_stay)
    assert stay_page.status_code == 400 and "not on the list" in stay_page.content.decode()


def test_a_forged_or_mangled_link_does_not_work(imported, world):
    stay, _leave = _links(imported)
    anyone = Client()
    assert anyone.get(stay.replace("/stay/", "x/stay/")).status_code == 404
    assert (
        anyone.post(reverse("makers:import_stay", kwargs={"token": "1:abc:def"})).status_code == 404
    )
    assert ImportedMaker.objects.filter(confirmed_at__isnull=False).count() == 0


# --- Queries ---------------------------------------------------------------------------------


def _rows(n: int, start: int = 0) -> list:
    return [
        [i + 2, [f"Maker {i}", f"maker{i}@example.org", f"07700 9{i % 100000:05d}", "DD1 4HN"]]
        for i in range(start, start + n)
    ]


def _queries_to_import(world, n: int, start: int) -> int:
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    batch = ImportBatch.objects.create(
        hub=world.hub,
        uploaded_by=world.user("hub_staff"),
        file_name=f"{n}.csv",
        headers=["Name", "Email", "Phone", "Postcode"],
        rows=_rows(n, start),
        row_count=n,
        columns=["name", "email", "phone", "postcode"],
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    with CaptureQueriesContext(connection) as captured:
        services.makers_import(
            batch=batch, contact_basis="paper_form", by_user=world.user("hub_staff")
        )
    assert ImportedMaker.objects.filter(batch=batch).count() == n
    return len(captured.captured_queries)


def test_an_import_makes_the_same_number_of_queries_for_10_rows_as_for_100(world):
    # One of each in both: a row that matches a maker the hub has, and a new person.
    factories.MakerFactory(hub=world.hub, name="Known 0", email="maker0@example.org", postcode="")
    factories.MakerFactory(
        hub=world.hub, name="Known 1", email="maker1000@example.org", postcode=""
    )
    small = _queries_to_import(world, 10, 0)
    large = _queries_to_import(world, 100, 1000)
    assert small == large, (small, large)
