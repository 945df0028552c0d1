"""What the columns of an uploaded volunteer sheet are, and what is wrong with each row.

The rules are the makers' own (makers.validators, and joining's rules for ages and
guardians); each problem is a sentence that names the sheet's row ("Row 14: the email
“bob@” is not an email address."). Reading the file is makers.sheets; bringing the people
in is makers.services.makers_import, which checks the rows again under its lock."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from makers.models import Maker
from makers.sheets import column_name
from makers.validators import (
    contact_channel,
    format_phone,
    normalise_phone,
    normalise_postcode,
)

LEAVE_OUT = ""
TARGETS = [
    (LEAVE_OUT, gettext_lazy("Leave this column out")),
    ("name", gettext_lazy("Full name")),
    ("first_name", gettext_lazy("First name")),
    ("last_name", gettext_lazy("Last name")),
    ("email", gettext_lazy("Email address")),
    ("phone", gettext_lazy("Phone number")),
    ("postcode", gettext_lazy("Postcode")),
    ("age", gettext_lazy("Age, or age group")),
    ("under_18", gettext_lazy("Aged 16 or 17? (yes or no)")),
    ("guardian_name", gettext_lazy("Parent or guardian's name")),
    ("guardian_contact", gettext_lazy("Parent or guardian's phone or email")),
    ("experience", gettext_lazy("Sewing experience")),
    ("has_sewing_machine", gettext_lazy("Has a sewing machine? (yes or no)")),
    ("sets_per_week", gettext_lazy("Sets a week they can sew")),
]
TARGET_LABELS = dict(TARGETS)
# In the order they are tried: the first rule a heading matches says what its column is.
_GUESSES = [
    ("guardian_contact", r"(guardian|parent|carer).*(phone|mobile|email|contact|tel|number)"),
    ("guardian_name", r"guardian|parent|carer"),
    ("under_18", r"\b16\b.*\b17\b|under 18|aged? 16|is under"),
    ("email", r"e ?mail"),
    ("phone", r"phone|mobile|\btel\b|telephone|contact number|\bcell\b"),
    ("postcode", r"post ?code|postal code|\bzip\b"),
    ("first_name", r"first name|forename|given name|^first$"),
    ("last_name", r"last name|surname|family name|^last$"),
    ("name", r"name"),
    ("age", r"\bage\b|how old|age (band|group|range)"),
    ("sets_per_week", r"sets|how many"),
    ("has_sewing_machine", r"machine"),
    ("experience", r"experience|how much.*sew|skill|sewn before|sewing level"),
]
NAME_MAX = 200
EMAIL_MAX = 254
YES = {"yes", "y", "true", "1", "x", "✓", "✔", "ticked", "agreed"}
NO = {"no", "n", "false", "0", "", "-", "none"}
EXPERIENCE_WORDS = [
    (Maker.Experience.PROFESSIONAL, r"profession|expert|for a living|advanced|tailor|used to"),
    (Maker.Experience.CONFIDENT, r"confident|intermediate|often|good|experienced|regular"),
    (Maker.Experience.BEGINNER, r"beginner|a little|little|not at all|never|novice|basic|some"),
]
_AGE_BANDS = [
    (Maker.AgeBand.UNDER_18, r"16 ?(or|to|-|–|/) ?17|^1[67]$"),
    (Maker.AgeBand.OVER_70, r"70 ?(\+|plus|or over|and over)|over 70|^7\d|^[89]\d$|^1[01]\d$"),
    (Maker.AgeBand.ADULT, r"18 ?(\+|plus|or over|to|-|–)|^[1-6]\d$|adult|over 18"),
]
_PHONE_TEXT = re.compile(r"\+?[\d\s().-]+")


def guess_columns(headers: list[str]) -> list[str]:
    """What each column probably is, from its heading; one column for each, the first."""
    taken: set[str] = set()
    guessed = []
    for heading in headers:
        words = re.sub(r"[^a-z0-9+]+", " ", heading.lower()).strip()
        target = next(
            (key for key, pattern in _GUESSES if words and re.search(pattern, words)),
            LEAVE_OUT,
        )
        if target in taken:
            target = LEAVE_OUT
        taken.add(target)
        guessed.append(target)
    return guessed


def columns_problems(columns: list[str]) -> list[str]:
    """What is wrong with the choice of columns as a whole, in words."""
    problems = []
    seen: dict[str, list[int]] = {}
    for index, target in enumerate(columns):
        if target != LEAVE_OUT:
            seen.setdefault(target, []).append(index)
    for target, indexes in seen.items():
        if len(indexes) > 1:
            problems.append(
                _("These columns are all set to “%(what)s”: %(columns)s. Choose one of them.")
                % {
                    "what": TARGET_LABELS[target],
                    "columns": ", ".join(column_name(i) for i in indexes),
                }
            )
    if "name" in seen and ("first_name" in seen or "last_name" in seen):
        problems.append(
            _(
                "Choose either one column with people's full names, or columns with their "
                "first and last names, not both."
            )
        )
    elif "name" not in seen and "first_name" not in seen:
        problems.append(_("Choose the column with people's names."))
    if "email" not in seen and "phone" not in seen:
        problems.append(
            _(
                "Choose the column with email addresses or phone numbers, so the hub can "
                "reach people."
            )
        )
    return problems


@dataclass
class Person:
    """One person as the sheet gives them, after checking; `rows` are the sheet's rows
    that turned out to be them (the first one leads)."""

    rows: list[int]
    name: str
    email: str = ""
    phone: str = ""  # as we keep it: "07700 900123"
    postcode: str = ""
    age_band: str = Maker.AgeBand.ADULT
    guardian_name: str = ""
    guardian_contact: str = ""
    experience: str = Maker.Experience.BEGINNER
    has_sewing_machine: bool = True
    sets_per_week: int = 1
    # Set when they are someone the hub already has.
    existing: Maker | None = None
    how_matched: str = ""
    fills: dict[str, str] = field(default_factory=dict)

    @property
    def row(self) -> int:
        return self.rows[0]

    @property
    def filled_words(self) -> str:
        words = {"email": _("email address"), "phone": _("phone number"), "postcode": _("postcode")}
        return ", ".join(str(words[name]) for name in self.fills)

    @property
    def digits(self) -> str:
        return normalise_phone(self.phone)

    @property
    def preferred_channel(self) -> str:
        return contact_channel(email=self.email, phone=self.digits)


@dataclass
class Checked:
    """Every row checked: the new people, those the hub already has, the rows that were the
    same person as an earlier row, and each problem in words."""

    new: list[Person] = field(default_factory=list)
    known: list[Person] = field(default_factory=list)
    # (row, earlier row, what they share)
    repeats: list[tuple[int, int, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows_with_problems: int = 0
    row_count: int = 0
    has_age: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def left_before(self) -> list[Person]:
        return [p for p in self.known if p.existing.status in LEFT]

    @property
    def staying(self) -> list[Person]:
        return [p for p in self.known if p.existing.status not in LEFT]


LEFT = {Maker.Status.WITHDRAWN, Maker.Status.DECLINED}
FILLABLE = ("email", "phone", "postcode")


def _quoted(value: str) -> str:
    value = " ".join(value.split())
    return f"“{value[:40]}…”" if len(value) > 40 else f"“{value}”"


def _looks_like_formula(value: str, *, phone_like: bool = False) -> bool:
    """A cell a spreadsheet would run if the list were opened again: "=...", and "+", "-"
    or "@" at the start (a phone number's "+44" excepted)."""
    if not value or value[0] not in "=+-@":
        return False
    return not (phone_like and value[0] == "+" and _PHONE_TEXT.fullmatch(value))


def _phone(text: str) -> str:
    digits = normalise_phone(text)
    if not digits and re.fullmatch(r"[1237]\d{9}", text.replace(" ", "")):
        # A number typed into a spreadsheet loses its leading 0 (7700900123).
        digits = normalise_phone("0" + text.replace(" ", ""))
    return digits


def _yes_no(text: str) -> bool | None:
    word = text.strip().lower().rstrip(".!")
    if word in YES:
        return True
    if word in NO:
        return False
    return None


def _age_band(text: str) -> str | None:
    """The band for what the sheet says ("17", "16 or 17", "70+", "18 to 69"); "under_16"
    for someone too young; None when it is not an age."""
    words = text.strip().lower()
    if re.fullmatch(r"(under|below|less than) ?16|1[0-5]|[0-9]", words):
        return "under_16"
    for band, pattern in _AGE_BANDS:
        if re.search(pattern, words):
            return band
    return None


class _Row:
    """One row being checked: its cells by what they are, and its problems."""

    def __init__(self, number: int, cells: list[str], columns: list[str]):
        self.number = number
        self.values: dict[str, str] = {}
        self.problems: list[str] = []
        for index, target in enumerate(columns):
            if target != LEAVE_OUT and index < len(cells):
                self.values[target] = cells[index].strip()

    def get(self, target: str) -> str:
        return self.values.get(target, "")

    def problem(self, text: str) -> None:
        self.problems.append(_("Row %(row)s: %(problem)s.") % {"row": self.number, "problem": text})


def _check_row(row: _Row) -> Person | None:
    for target, value in row.values.items():
        phone_like = target in ("phone", "guardian_contact")
        if _looks_like_formula(value, phone_like=phone_like):
            row.problem(
                _(
                    "the %(what)s %(value)s looks like a spreadsheet formula. Type in the "
                    "value itself"
                )
                % {"what": str(TARGET_LABELS[target]).lower(), "value": _quoted(value)}
            )
    if row.problems:
        return None
    name = " ".join(row.get("name").split()) or " ".join(
        f"{row.get('first_name')} {row.get('last_name')}".split()
    )
    if not name:
        row.problem(_("there is no name"))
    elif len(name) > NAME_MAX:
        row.problem(
            _("the name is %(n)s characters long, and the most we keep is %(max)s")
            % {"n": len(name), "max": NAME_MAX}
        )
    email = row.get("email").lower()
    if email:
        try:
            if len(email) > EMAIL_MAX:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            row.problem(
                _("the email %(value)s is not an email address") % {"value": _quoted(email)}
            )
    phone = ""
    if raw_phone := row.get("phone"):
        digits = _phone(raw_phone)
        if digits:
            phone = format_phone(digits)
        else:
            row.problem(
                _("the phone number %(value)s is not a UK phone number")
                % {"value": _quoted(raw_phone)}
            )
    if not row.get("email") and not raw_phone:
        row.problem(_("there is no email address or phone number, so the hub could not reach them"))
    postcode = ""
    if raw_postcode := row.get("postcode"):
        postcode = normalise_postcode(raw_postcode)
        if not postcode:
            row.problem(
                _("the postcode %(value)s is not a full UK postcode, like DD1 4HN")
                % {"value": _quoted(raw_postcode)}
            )
    age_band = _row_age_band(row)
    guardian_name = guardian_contact = ""
    if age_band == Maker.AgeBand.UNDER_18:
        guardian_name, guardian_contact = _row_guardian(row)
    experience = Maker.Experience.BEGINNER
    if said := row.get("experience"):
        found = next((e for e, p in EXPERIENCE_WORDS if re.search(p, said.lower())), None)
        if found is None:
            row.problem(
                _(
                    "we do not know what the sewing experience %(value)s means. Use "
                    "beginner, confident or professional"
                )
                % {"value": _quoted(said)}
            )
        else:
            experience = found
    said = row.get("has_sewing_machine")
    machine = _yes_no(said) if said else True
    if machine is None:
        row.problem(
            _("say yes or no for the sewing machine, not %(value)s")
            % {"value": _quoted(row.get("has_sewing_machine"))}
        )
    sets_per_week = 1
    if said := row.get("sets_per_week"):
        if re.fullmatch(r"\d{1,2}", said) and int(said) <= 50:
            sets_per_week = int(said)
        else:
            row.problem(
                _("the sets a week %(value)s is not a number from 0 to 50")
                % {"value": _quoted(said)}
            )
    if row.problems:
        return None
    return Person(
        rows=[row.number],
        name=name,
        email=email,
        phone=phone,
        postcode=postcode,
        age_band=age_band,
        guardian_name=guardian_name,
        guardian_contact=guardian_contact,
        experience=experience,
        has_sewing_machine=bool(machine),
        sets_per_week=sets_per_week,
    )


def _row_age_band(row: _Row) -> str:
    band = Maker.AgeBand.ADULT
    if said := row.get("age"):
        found = _age_band(said)
        if found is None:
            row.problem(_("the age %(value)s is not an age") % {"value": _quoted(said)})
        elif found == "under_16":
            row.problem(
                _(
                    "the age %(value)s is under 16. Makers must be 16 or over; younger "
                    "people can sew in a group"
                )
                % {"value": _quoted(said)}
            )
        else:
            band = found
    young = _yes_no(row.get("under_18"))
    if young is None:
        row.problem(
            _("say yes or no for “Aged 16 or 17?”, not %(value)s")
            % {"value": _quoted(row.get("under_18"))}
        )
    elif young and row.get("age") and band != Maker.AgeBand.UNDER_18:
        row.problem(
            _("the age %(value)s and “Aged 16 or 17: yes” do not agree")
            % {"value": _quoted(row.get("age"))}
        )
    elif young:
        band = Maker.AgeBand.UNDER_18
    return band


def _row_guardian(row: _Row) -> tuple[str, str]:
    """Joining's rule: someone of 16 or 17 needs a parent or guardian we can reach."""
    name = " ".join(row.get("guardian_name").split())
    contact = row.get("guardian_contact")
    if not name:
        row.problem(_("they are 16 or 17, so we need their parent or guardian's name"))
    elif len(name) > NAME_MAX:
        row.problem(_("the parent or guardian's name is longer than %(max)s") % {"max": NAME_MAX})
    if not contact:
        row.problem(
            _("they are 16 or 17, so we need their parent or guardian's phone number or email")
        )
        return name, ""
    if digits := _phone(contact):
        return name, format_phone(digits)
    try:
        validate_email(contact.lower())
    except ValidationError:
        row.problem(
            _(
                "the parent or guardian's contact %(value)s is not a phone number or an "
                "email address"
            )
            % {"value": _quoted(contact)}
        )
        return name, ""
    return name, contact.lower()


def _same(a: Person, b: Person) -> str:
    """What shows two people are one ("" if nothing does): the same email, or the same
    phone when their emails do not differ (a family shares a landline)."""
    if a.email and a.email == b.email:
        return "email"
    if a.phone and a.digits == b.digits and not (a.email and b.email):
        return "phone"
    return ""


def _fill_blanks(person: Person, other: Person) -> None:
    for name in (*FILLABLE, "guardian_name", "guardian_contact"):
        if not getattr(person, name) and getattr(other, name):
            setattr(person, name, getattr(other, name))


def rows_check(*, hub, rows: list, columns: list[str], lock: bool = False) -> Checked:
    """Check every row (`rows` as ImportBatch keeps them) against the makers' rules, join up
    rows that are one person, and find the people the hub already has, in one query (with
    `lock`, their rows are locked until the transaction ends, so their details cannot
    change between this look and the import filling their blanks)."""
    checked = Checked(row_count=len(rows), has_age="age" in columns or "under_18" in columns)
    people: list[Person] = []
    by_email: dict[str, Person] = {}
    by_phone: dict[str, Person] = {}
    for number, cells in rows:
        row = _Row(number, cells, columns)
        person = _check_row(row)
        if person is None:
            checked.problems.extend(row.problems)
            checked.rows_with_problems += 1
            continue
        earlier = by_email.get(person.email) if person.email else None
        if earlier is None and person.phone:
            earlier = by_phone.get(person.digits)
            if earlier is not None and not _same(earlier, person):
                earlier = None
        if earlier is not None:
            checked.repeats.append((person.row, earlier.row, _same(earlier, person)))
            earlier.rows.append(person.row)
            _fill_blanks(earlier, person)
            person = earlier
        else:
            people.append(person)
        if person.email:
            by_email.setdefault(person.email, person)
        if person.phone:
            by_phone.setdefault(person.digits, person)
    if checked.problems:
        return checked
    _match_known(hub=hub, people=people, lock=lock)
    for person in people:
        (checked.known if person.existing else checked.new).append(person)
    return checked


def _match_known(*, hub, people: list[Person], lock: bool) -> None:
    emails = {p.email.upper() for p in people if p.email}
    phones = {form for p in people if p.phone for form in (p.phone, p.digits)}
    if not emails and not phones:
        return
    matching = (
        Maker.objects.filter(hub=hub)
        .exclude(status=Maker.Status.ERASED)
        .annotate(email_upper=Upper("email"))
        .filter(Q(email_upper__in=emails) | Q(phone__in=phones))
        .only("pk", "name", "email", "phone", "postcode", "status", "hub_id")
        .order_by("pk")
    )
    found = list(matching.select_for_update(of=("self",)) if lock else matching)
    known_email: dict[str, Maker] = {}
    known_phone: dict[str, list[Maker]] = {}
    for maker in found:
        if maker.email:
            known_email.setdefault(maker.email.lower(), maker)
        if maker.phone:
            known_phone.setdefault(normalise_phone(maker.phone), []).append(maker)
    for person in people:
        maker, how = known_email.get(person.email) if person.email else None, "email"
        if maker is None and person.phone:
            how = "phone"
            maker = next(
                (
                    m
                    for m in known_phone.get(person.digits, [])
                    if not (m.email and person.email and m.email.lower() != person.email)
                ),
                None,
            )
        if maker is None:
            continue
        person.existing, person.how_matched = maker, how
        if maker.status not in LEFT:
            # The maker's own details stay; the sheet only fills what they left blank.
            person.fills = {
                name: getattr(person, name)
                for name in FILLABLE
                if not getattr(maker, name) and getattr(person, name)
            }
