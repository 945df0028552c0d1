"""A national-sized dataset, built fast and obeying every rule of the schema.

`python manage.py seed_scale` calls `seed_scale()`. It does not go through the services (a
million garments one transaction at a time would take days); instead it plays each kit's
life forward in Python, in the same steps the services take, and writes every row the
services would have written: the kit's counts, each garment movement (so replaying them
gives the counts), status events, assignments, handovers, quality checks, point holdings,
deliveries with their allocations, and hub tallies equal to the sums. On PostgreSQL the
rows go in with COPY, which still checks every CHECK, UNIQUE and foreign key constraint;
elsewhere (SQLite on a laptop) with batched INSERTs.

Run it only on a database nobody else is writing to: it numbers rows itself and moves the
id sequences past what it wrote at the end.
"""

from __future__ import annotations

import io
import json
import math
import random
import secrets
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from dropoffs.models import Handover, Point
from makers.models import CONSENT_WORDING, Consent, Maker, MakerEvent, MakerGroup, ReturnPlan
from packages.models import (
    PLACES,
    Delivery,
    DeliveryAllocation,
    DeliveryLine,
    DemandChange,
    DemandLine,
    Donation,
    GarmentMovement,
    GarmentType,
    HubTally,
    Kit,
    KitAssignment,
    KitEvent,
    KitProgress,
    Pattern,
    Place,
    PointHolding,
    PrecutStock,
    QualityCheck,
    QualityRequirement,
    Size,
    qty_field,
)
from packages.records import (
    day_tallies_recount,
    holder_records_recount,
    kits_collected_at_recount,
)
from packages.services import KIT_CODE_ALPHABET, KIT_CODE_LENGTH
from scrubhub.hubs.models import Hospital, Hub, Membership, Role

User = get_user_model()

# The log-ins the benchmark signs in as (and people may try): all in the largest hub, or a
# hospital it supplies. Their password is SEED_PASSWORD; everyone else has none.
SEED_PASSWORD = "scrubhub-demo"  # noqa: S105 - public on purpose, like the demo's  # nosec B105
BENCH_USERS = {
    "staff": "bench-staff",
    "maker": "bench-maker",
    "laundry": "bench-laundry",
    "helper": "bench-helper",
    "driver": "bench-driver",
}
POINT_KINDS = ["library", "church hall", "pharmacy", "village shop", "community centre"]
SIZE_WEIGHTS = {"XS": 5, "S": 15, "M": 29, "L": 27, "XL": 16, "2XL": 6, "3XL": 2}
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

TOWNS = [
    "Aberdeen", "Ayr", "Bangor", "Bath", "Belfast", "Birmingham", "Bradford", "Brighton",
    "Bristol", "Cambridge", "Canterbury", "Cardiff", "Carlisle", "Chester", "Colchester",
    "Coventry", "Derby", "Derry", "Dumfries", "Dundee", "Durham", "Edinburgh", "Elgin",
    "Exeter", "Glasgow", "Gloucester", "Hereford", "Hull", "Inverness", "Ipswich", "Kendal",
    "Kilmarnock", "Lancaster", "Leeds", "Leicester", "Lincoln", "Liverpool", "London",
    "Manchester", "Newcastle", "Newport", "Norwich", "Nottingham", "Oban", "Oxford", "Perth",
    "Plymouth", "Portsmouth", "Preston", "Reading", "Salisbury", "Sheffield", "Southampton",
    "Stirling", "Stoke", "Sunderland", "Swansea", "Truro", "Wakefield", "Wick", "Worcester",
    "Wrexham", "York",
]  # fmt: skip
FIRST_NAMES = [
    "Agnes", "Ailsa", "Alan", "Alison", "Amira", "Andrew", "Anne", "Brian", "Catriona",
    "Christine", "Colin", "David", "Deborah", "Eilidh", "Elaine", "Euan", "Fiona", "Fraser",
    "Grace", "Hamish", "Heather", "Iain", "Isla", "Jean", "Joan", "Kirsty", "Lorna",
    "Margaret", "Mei", "Moira", "Niamh", "Olga", "Pauline", "Priya", "Rhona", "Ruth",
    "Sandra", "Sheila", "Sophie", "Susan", "Thomas", "Tomasz", "Valerie", "Wendy", "Zainab",
]  # fmt: skip
SURNAMES = [
    "Anderson", "Baxter", "Brown", "Cameron", "Campbell", "Chen", "Craig", "Duncan",
    "Ferguson", "Fraser", "Gibson", "Graham", "Hamilton", "Henderson", "Hunter", "Khan",
    "Kowalski", "MacDonald", "MacLeod", "Martin", "Milne", "Mitchell", "Murray", "Patel",
    "Reid", "Robertson", "Ross", "Scott", "Sinclair", "Smith", "Stewart", "Thomson",
    "Watson", "Wilson", "Young",
]  # fmt: skip


@dataclass
class SeedSizes:
    """How big a world to build. The defaults are the national set."""

    hubs: int = 200
    makers: int = 100_000
    kits: int = 300_000
    hospitals: int = 300
    largest_share: float = 0.7
    weeks: int = 40
    seed: int = 2020

    def __post_init__(self) -> None:
        if self.hubs < 1 or self.makers < self.hubs * 10 or self.kits < 1:
            raise ValueError("Build at least one hub, ten makers per hub and one kit.")
        if self.hospitals < 1:
            raise ValueError("Build at least one hospital.")
        if not 0 < self.largest_share <= 1:
            raise ValueError("The largest hub's share of makers is between 0 and 1.")
        if self.weeks < 4:
            raise ValueError("Build at least four weeks of history.")


@dataclass
class SeedReport:
    """What was built, how long each step took, and the log-ins the benchmark uses."""

    rows: Counter = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)
    largest_hub_slug: str = ""
    bench: dict[str, str] = field(default_factory=dict)
    garments: int = 0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# --- Writing rows in bulk -----------------------------------------------------------------


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


class BulkWriter:
    """Writes rows with ids it hands out itself: COPY on PostgreSQL, INSERTs elsewhere."""

    COPY_BATCH = 50_000
    INSERT_BATCH = 2_000

    def __init__(self, report: SeedReport):
        self.report = report
        self.postgres = connection.vendor == "postgresql"
        self._next: dict[type[models.Model], int] = {}
        self.touched: set[type[models.Model]] = set()

    def next_id(self, model: type[models.Model]) -> int:
        if model not in self._next:
            top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
            self._next[model] = top + 1
        value = self._next[model]
        self._next[model] = value + 1
        return value

    def write(self, model: type[models.Model], fields: list[str], rows: Iterable[tuple]) -> int:
        """Insert rows (tuples in the order of `fields`, field names as in the model)."""
        meta = model._meta
        rows, fields = self._with_defaults(model, fields, rows)
        columns = [connection.ops.quote_name(meta.get_field(name).column) for name in fields]
        written = 0
        with connection.cursor() as cursor:
            if self.postgres:
                sql = f'COPY "{meta.db_table}" ({", ".join(columns)}) FROM STDIN'
                for batch in _batches(rows, self.COPY_BATCH):
                    buffer = io.StringIO()
                    buffer.writelines("\t".join(map(_copy_text, row)) + "\n" for row in batch)
                    buffer.seek(0)
                    cursor.cursor.copy_expert(sql, buffer)
                    written += len(batch)
            else:
                prepare = [meta.get_field(name) for name in fields]
                placeholders = ", ".join(["%s"] * len(fields))
                sql = (
                    f'INSERT INTO "{meta.db_table}" ({", ".join(columns)}) VALUES ({placeholders})'  # noqa: S608 - names from the model  # nosec B608
                )
                for batch in _batches(rows, self.INSERT_BATCH):
                    cursor.executemany(
                        sql,
                        [
                            [
                                f.get_db_prep_save(v, connection) if v is not None else None
                                for f, v in zip(prepare, row, strict=True)
                            ]
                            for row in batch
                        ],
                    )
                    written += len(batch)
        self.report.rows[meta.label] += written
        self.touched.add(model)
        return written

    @staticmethod
    def _with_defaults(model, fields: list[str], rows: Iterable[tuple]):
        """Fields this module does not name (added to a model since) get their default, as
        Model.save() would give them; a required field with no default stops the seed."""
        extra, values = [], []
        for f in model._meta.concrete_fields:
            if f.name in fields or f.attname in fields or f.primary_key:
                continue
            if f.has_default():
                extra.append(f.attname)
                values.append(f.get_default())
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                extra.append(f.attname)
                values.append(timezone.now())
            elif not f.null and f.get_default() is not None:
                # A text field with no default saves as "" (Model.save() does the same).
                extra.append(f.attname)
                values.append(f.get_default())
            elif not f.null:
                raise ValueError(
                    f"seed_scale does not fill {model._meta.label}.{f.name}; "
                    "add it to packages/seed.py."
                )
        if not extra:
            return rows, fields
        tail = tuple(values)
        return ((*row, *tail) for row in rows), [*fields, *extra]

    def move_sequences_on(self) -> None:
        """After writing with our own ids, the next row anyone inserts must get a fresh one."""
        if not self.postgres:
            return  # SQLite takes max(id) + 1 by itself
        with connection.cursor() as cursor:
            for model in self.touched:
                table = model._meta.db_table
                pk = model._meta.pk.column
                top = f'SELECT MAX("{pk}") FROM "{table}"'  # noqa: S608 - names from the model  # nosec B608
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(({top}), 1))",
                    [f'"{table}"', pk],
                )


def _batches(rows: Iterable[tuple], size: int) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _kit_codes(count: int, taken: set[str]) -> list[str]:
    """Random codes from the kit-code alphabet, unique among themselves and `taken`."""
    codes: list[str] = []
    alphabet = KIT_CODE_ALPHABET
    while len(codes) < count:
        raw = secrets.token_bytes(KIT_CODE_LENGTH * 256)
        for start in range(0, len(raw), KIT_CODE_LENGTH):
            code = "".join(alphabet[b % 32] for b in raw[start : start + KIT_CODE_LENGTH])
            if code not in taken:
                taken.add(code)
                codes.append(code)
                if len(codes) == count:
                    break
    return codes


# --- The world: hubs, hospitals, points, people --------------------------------------------


@dataclass
class HubPlan:
    pk: int
    slug: str
    index: int
    makers: int
    kits: int
    hospitals: list[int] = field(default_factory=list)
    points: list[int] = field(default_factory=list)
    helper_by_point: dict[int, int] = field(default_factory=dict)
    staff: list[int] = field(default_factory=list)
    drivers: list[int] = field(default_factory=list)
    active_makers: list[tuple[int, int]] = field(default_factory=list)  # (maker, its point)
    groups: list[int] = field(default_factory=list)
    precut: dict[tuple[str, str], int] = field(default_factory=dict)
    demand: dict[tuple[int, str, str], int] = field(default_factory=dict)
    donation: int = 0
    bench_maker: int | None = None


def _split(total: int, parts: int, largest_share: float, rng: random.Random) -> list[int]:
    """`total` shared among `parts`: the first takes `largest_share`, the rest share the rest
    unevenly (as real hubs do), each getting at least one."""
    if parts == 1:
        return [total]
    first = max(1, round(total * largest_share))
    rest = total - first
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts - 1)]
    scale = rest / sum(weights)
    shares = [max(1, int(w * scale)) for w in weights]
    shares[-1] += rest - sum(shares)
    if shares[-1] < 1:  # tiny worlds: give the last hub one from the first
        first -= 1 - shares[-1]
        shares[-1] = 1
    return [first, *shares]


class SeedBuilder:
    def __init__(self, sizes: SeedSizes, *, log: Callable[[str], None] = lambda _: None, now=None):
        self.sizes = sizes
        self.rng = random.Random(sizes.seed)  # test data, not security  # nosec B311
        self.log = log
        self.report = SeedReport()
        self.out = BulkWriter(self.report)
        self.now = now or timezone.now()
        self.start = self.now - timedelta(weeks=sizes.weeks)
        self.password_hash = make_password(SEED_PASSWORD)
        self.hubs: list[HubPlan] = []
        self.patterns: dict[tuple[str, str], int] = {}
        self.laundry_of: dict[int, int] = {}
        self.taken_codes: set[str] | None = None
        self._usernames: set[str] = set()

    # Timing helper.
    def _step(self, name: str, started: float) -> None:
        self.report.seconds[name] = round(time.monotonic() - started, 1)
        self.log(f"  {name}: {self.report.seconds[name]}s")

    def build(self) -> SeedReport:
        began = time.monotonic()
        with transaction.atomic():
            if self.out.postgres:
                with connection.cursor() as cursor:
                    # Check foreign keys at the end of each COPY, not all at commit.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            t = time.monotonic()
            self._build_places()
            self._step("hubs, hospitals and points", t)
            t = time.monotonic()
            self._build_people()
            self._step("users, memberships and makers", t)
            t = time.monotonic()
            self._build_stock_and_demand()
            self._step("stock, patterns and demand", t)
            t = time.monotonic()
            for plan in self.hubs:
                HubKits(self, plan).build()
            self._step("kits and their garments", t)
            t = time.monotonic()
            # Counters from the history just written, as the live services would keep them.
            # The planner needs the new tables' sizes first: without them it reads every
            # hand-in since a date for each assignment, not just its own kit's few.
            if self.out.postgres:
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            hub_ids = [plan.pk for plan in self.hubs]
            kits_collected_at_recount(hub_ids=hub_ids)
            holder_records_recount(hub_ids=hub_ids)
            day_tallies_recount(hub_ids=hub_ids)
            self._step("makers' records and day tallies", t)
            self.out.move_sequences_on()
        t = time.monotonic()
        if self.out.postgres:
            with connection.cursor() as cursor:
                # As autovacuum would leave a live database: counts can then read the
                # indexes alone (visibility map set) instead of visiting every row. Inside
                # a test's transaction VACUUM cannot run, and ANALYZE is enough there.
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
            self._step("vacuum and analyze", t)
        self.report.seconds["total"] = round(time.monotonic() - began, 1)
        return self.report

    # --- places -----------------------------------------------------------------------

    def _build_places(self) -> None:
        sizes, rng, out = self.sizes, self.rng, self.out
        maker_split = _split(sizes.makers, sizes.hubs, sizes.largest_share, rng)
        kit_split = [max(1, round(sizes.kits * m / sizes.makers)) for m in maker_split]
        kit_split[0] += sizes.kits - sum(kit_split)
        taken_slugs = set(Hub.objects.values_list("slug", flat=True))
        hub_rows, used_names = [], Counter()
        for index in range(sizes.hubs):
            town = TOWNS[index % len(TOWNS)]
            used_names[town] += 1
            suffix = "" if used_names[town] == 1 else f" {used_names[town]}"
            slug = f"{town.lower()}{suffix.replace(' ', '-')}-scrubs"
            while slug in taken_slugs:
                slug += "-x"
            taken_slugs.add(slug)
            pk = out.next_id(Hub)
            self.hubs.append(
                HubPlan(pk=pk, slug=slug, index=index, makers=maker_split[index], kits=0)
            )
            self.hubs[-1].kits = max(1, kit_split[index])
            hub_rows.append(
                (
                    pk,
                    f"{town} Scrub Hub{suffix}",
                    slug,
                    f"{town} and around",
                    f"Volunteers in {town} sewing scrubs for the hospital laundry.",
                    f"0{1000 + index} {100000 + index}",
                    f"scrubs@{slug}.invalid",
                    "Europe/London",
                    7,
                    index % 3 == 2,
                    None,
                    180,
                    Decimal("54.0") + Decimal(index % 40) / 10,
                    Decimal("-2.0") - Decimal(index % 30) / 10,
                    True,
                    self.start - 2 * DAY,
                )
            )
        out.write(
            Hub,
            [
                "id", "name", "slug", "area", "about", "phone", "email", "timezone",
                "overdue_after_days", "auto_approve_makers", "stand_down_on", "retention_days",
                "latitude", "longitude", "is_active", "created_at",
            ],
            hub_rows,
        )  # fmt: skip
        self.report.largest_hub_slug = self.hubs[0].slug

        taken_slugs = set(Hospital.objects.values_list("slug", flat=True))
        hospital_rows = []
        hospitals = []
        for index in range(sizes.hospitals):
            town = TOWNS[index % len(TOWNS)]
            slug = f"{town.lower()}-general-{index + 1}"
            while slug in taken_slugs:
                slug += "-x"
            taken_slugs.add(slug)
            pk = out.next_id(Hospital)
            hospitals.append(pk)
            hospital_rows.append(
                (
                    pk,
                    f"{town} General Hospital {index + 1}",
                    slug,
                    f"{town} linen and laundry service",
                    f"Hospital Road, {town}",
                    f"0{2000 + index} {200000 + index}",
                    rng.randint(2000, 9000),
                    self.start - 3 * DAY,
                )
            )
        out.write(
            Hospital,
            [
                "id", "name", "slug", "laundry_name", "address", "phone",
                "sets_in_circulation", "created_at",
            ],
            hospital_rows,
        )  # fmt: skip
        # Every hospital is supplied by at least one hub; the largest hub supplies several.
        for index, hospital in enumerate(hospitals):
            self.hubs[index % len(self.hubs)].hospitals.append(hospital)
        for plan in self.hubs:
            wanted = 5 if plan.index == 0 else 1
            while len(plan.hospitals) < min(wanted, len(hospitals)):
                extra = rng.choice(hospitals)
                if extra not in plan.hospitals:
                    plan.hospitals.append(extra)
        through = Hub.hospitals.through
        out.write(
            through,
            ["id", "hub_id", "hospital_id"],
            (
                (out.next_id(through), plan.pk, hospital)
                for plan in self.hubs
                for hospital in plan.hospitals
            ),
        )
        requirement_rows = []
        for hospital in hospitals:
            for title, garment_type in (
                ("Fabric approved for hospital washing", ""),
                ("Ties, not elastic", "trousers"),
            ):
                requirement_rows.append(
                    (out.next_id(QualityRequirement), hospital, garment_type, title, "", True,
                     self.start, self.start)
                )  # fmt: skip
        out.write(
            QualityRequirement,
            ["id", "hospital_id", "garment_type", "title", "detail", "is_active", "created_at",
             "changed_at"],
            requirement_rows,
        )  # fmt: skip

        point_rows = []
        for plan in self.hubs:
            # About one point per 400 makers: the Dundee hub had five for 600.
            for number in range(max(2, plan.makers // 400)):
                pk = out.next_id(Point)
                plan.points.append(pk)
                point_rows.append(
                    (
                        pk,
                        plan.pk,
                        f"Point {number + 1}: {rng.choice(POINT_KINDS)}",
                        f"{number + 1} High Street",
                        f"AB{number % 90 + 1} {number % 9 + 1}XY",
                        Decimal("54.000000") + Decimal(rng.randint(0, 300000)) / 100000,
                        Decimal("-2.000000") - Decimal(rng.randint(0, 300000)) / 100000,
                        "Mon–Sat 09:00–17:00",
                        True,
                        True,
                        Point.Status.ACTIVE,
                        self.start - DAY,
                    )
                )
        out.write(
            Point,
            [
                "id", "hub_id", "name", "address", "postcode", "latitude", "longitude",
                "opening_hours", "accepts_kit_collection", "accepts_finished_garments",
                "status", "created_at",
            ],
            point_rows,
        )  # fmt: skip

    # --- people -----------------------------------------------------------------------

    def _username(self, wanted: str) -> str:
        name = wanted
        while name in self._usernames:
            name = f"{wanted}-{secrets.token_hex(2)}"
        self._usernames.add(name)
        return name

    def _build_people(self) -> None:
        out, rng, sizes = self.out, self.rng, self.sizes
        self._usernames = set(User.objects.values_list("username", flat=True))
        users, emails, memberships = [], [], []
        joined = self.start - DAY

        def user(username: str, first: str, last: str, *, known_password=False) -> int:
            pk = out.next_id(User)
            username = self._username(username)
            email = f"{username}@seed.scrubhub.invalid"
            password = self.password_hash if known_password else "!seeded-no-password"
            users.append((pk, password, None, False, username, first, last, email, False,
                          True, joined))  # fmt: skip
            emails.append((out.next_id(EmailAddress), pk, email, True, True))
            return pk

        def member(user_id: int, role: str, *, hub=None, hospital=None, point=None) -> None:
            memberships.append(
                (out.next_id(Membership), user_id, role, hub, hospital, point, joined)
            )

        hospital_laundry = {}
        for plan in self.hubs:
            largest = plan.index == 0
            coordinator = user(
                BENCH_USERS["staff"] if largest else f"{plan.slug}-coordinator",
                "Morag", "Fleming", known_password=largest,
            )  # fmt: skip
            member(coordinator, Role.COORDINATOR, hub=plan.pk)
            plan.staff.append(coordinator)
            for shift in range(2 if plan.makers < 5000 else 6):
                staff = user(f"{plan.slug}-staff-{shift + 1}", "Ravi", "Patel")
                member(staff, Role.HUB_STAFF, hub=plan.pk)
                plan.staff.append(staff)
            for number in range(max(1, len(plan.points) // 10)):
                driver = user(
                    BENCH_USERS["driver"] if largest and number == 0 else
                    f"{plan.slug}-driver-{number + 1}",
                    "Kenny", "Ogilvie", known_password=largest and number == 0,
                )  # fmt: skip
                member(driver, Role.DRIVER, hub=plan.pk)
                plan.drivers.append(driver)
            for number, point in enumerate(plan.points):
                helper = user(
                    BENCH_USERS["helper"] if largest and number == 0 else
                    f"{plan.slug}-helper-{number + 1}",
                    "Fiona", "Lamb", known_password=largest and number == 0,
                )  # fmt: skip
                member(helper, Role.POINT_HELPER, hub=plan.pk, point=point)
                plan.helper_by_point[point] = helper
            for hospital in plan.hospitals:
                if hospital in hospital_laundry:
                    continue
                bench = largest and not hospital_laundry
                laundry = user(
                    BENCH_USERS["laundry"] if bench else f"laundry-{hospital}",
                    "Jim", "Donaldson", known_password=bench,
                )  # fmt: skip
                member(laundry, Role.LAUNDRY, hospital=hospital)
                hospital_laundry[hospital] = laundry
        self.laundry_of = hospital_laundry
        self.report.bench = dict(BENCH_USERS)

        makers, events, consents = [], [], []
        group_rows = []
        statuses = [
            (Maker.Status.ACTIVE, 70), (Maker.Status.APPROVED, 14), (Maker.Status.APPLIED, 6),
            (Maker.Status.PAUSED, 4), (Maker.Status.STANDBY, 2), (Maker.Status.WITHDRAWN, 2.5),
            (Maker.Status.DECLINED, 1), (Maker.Status.ERASED, 0.5),
        ]  # fmt: skip
        status_names = [s for s, _ in statuses]
        status_weights = [w for _, w in statuses]
        history = sizes.weeks * 7 * 24  # hours
        serial = 0
        for plan in self.hubs:
            chosen = rng.choices(status_names, weights=status_weights, k=plan.makers)
            if plan.index == 0:
                chosen[0] = Maker.Status.ACTIVE  # the benchmark's maker
            for number, status in enumerate(chosen):
                serial += 1
                pk = out.next_id(Maker)
                first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
                point = rng.choice(plan.points)
                applied_at = self.start + HOUR * rng.randint(0, history - 72)
                erased = status == Maker.Status.ERASED
                roll = rng.random()
                age_band = (
                    Maker.AgeBand.UNDER_18
                    if roll < 0.05
                    else Maker.AgeBand.OVER_70
                    if roll < 0.27
                    else Maker.AgeBand.ADULT
                )
                has_email = rng.random() < 0.8
                bench_maker = plan.index == 0 and number == 0
                user_id = None
                if bench_maker or (has_email and not erased and rng.random() < 0.85):
                    user_id = user(
                        BENCH_USERS["maker"] if bench_maker else f"maker-{serial}",
                        first, last, known_password=bench_maker,
                    )  # fmt: skip
                    member(user_id, Role.MAKER, hub=plan.pk)
                if bench_maker:
                    # Her kits wait at the point where the benchmark's helper works.
                    plan.bench_maker, point = pk, plan.points[0]
                    has_email, age_band = True, Maker.AgeBand.OVER_70
                email = f"{first}.{last}.{serial}@example.org".lower() if has_email else ""
                phone = "" if has_email and rng.random() < 0.5 else f"07700 {serial:06d}"
                guardian = age_band == Maker.AgeBand.UNDER_18
                changed_at = applied_at + DAY * rng.randint(0, 3)
                if erased:
                    row_personal = ("", "", "", "", "", "")
                    user_id = None
                else:
                    row_personal = (
                        f"{first} {last}",
                        email,
                        phone,
                        f"AB{serial % 90 + 1} {serial % 9 + 1}XY",
                        f"Parent of {first}" if guardian else "",
                        f"07700 8{serial:05d}" if guardian else "",
                    )
                makers.append(
                    (
                        pk, plan.pk, user_id, *row_personal, age_band,
                        rng.choice(Maker.Experience.values), rng.random() < 0.93,
                        rng.choice([1, 1, 1, 2, 2, 3, 5]), point,
                        Maker.Channel.EMAIL if has_email else Maker.Channel.SMS,
                        rng.choice(Maker.HeardAbout.values),
                        age_band == Maker.AgeBand.OVER_70 and rng.random() < 0.2,
                        None,
                        # Some active makers have said they are ready for another kit.
                        changed_at if status == Maker.Status.ACTIVE and rng.random() < 0.1
                        else None,
                        status, changed_at, changed_at if erased else None, applied_at,
                    )
                )  # fmt: skip
                actor = user_id
                events.append((out.next_id(MakerEvent), pk, "", Maker.Status.APPLIED, actor,
                               "", applied_at))  # fmt: skip
                staff = rng.choice(plan.staff)
                path = {
                    Maker.Status.APPROVED: [Maker.Status.APPROVED],
                    Maker.Status.ACTIVE: [Maker.Status.APPROVED, Maker.Status.ACTIVE],
                    Maker.Status.PAUSED: [Maker.Status.APPROVED, Maker.Status.PAUSED],
                    Maker.Status.STANDBY: [Maker.Status.APPROVED, Maker.Status.STANDBY],
                    Maker.Status.WITHDRAWN: [Maker.Status.APPROVED, Maker.Status.WITHDRAWN],
                    Maker.Status.DECLINED: [Maker.Status.DECLINED],
                    Maker.Status.ERASED: [Maker.Status.APPROVED, Maker.Status.ERASED],
                }.get(status, [])
                old = Maker.Status.APPLIED
                for step, new in enumerate(path):
                    events.append(
                        (out.next_id(MakerEvent), pk, old, new, staff, "",
                         applied_at + HOUR * (step + 1))
                    )  # fmt: skip
                    old = new
                if status == Maker.Status.ACTIVE:
                    plan.active_makers.append((pk, point))
                for purpose in (Consent.Purpose.STORE_DETAILS, Consent.Purpose.CONTACT):
                    consents.append(
                        (out.next_id(Consent), pk, purpose, CONSENT_WORDING, applied_at,
                         changed_at if erased else None)
                    )  # fmt: skip
            for number in range(max(1, plan.makers // 2000)):
                pk = out.next_id(MakerGroup)
                leader = user(f"{plan.slug}-group-{number + 1}", "Group", "Leader")
                member(leader, Role.GROUP_LEADER, hub=plan.pk)
                plan.groups.append(pk)
                group_rows.append(
                    (pk, plan.pk, f"Sewing group {number + 1}", MakerGroup.Kind.COMMUNITY,
                     leader, "Group leader", "07700 900000", rng.randint(3, 30),
                     rng.randint(5, 40), MakerGroup.Status.ACTIVE, self.start)
                )  # fmt: skip

        out.write(
            User,
            ["id", "password", "last_login", "is_superuser", "username", "first_name",
             "last_name", "email", "is_staff", "is_active", "date_joined"],
            users,
        )  # fmt: skip
        out.write(EmailAddress, ["id", "user_id", "email", "verified", "primary"], emails)
        out.write(
            Membership,
            ["id", "user_id", "role", "hub_id", "hospital_id", "point_id", "created_at"],
            memberships,
        )
        out.write(
            Maker,
            ["id", "hub_id", "user_id", "name", "email", "phone", "postcode", "guardian_name",
             "guardian_contact", "age_band", "experience", "has_sewing_machine",
             "sets_per_week", "preferred_point_id", "preferred_channel", "heard_about",
             "needs_doorstep_collection", "away_until", "wants_kit_since", "status",
             "status_changed_at", "erased_at", "created_at"],
            makers,
        )  # fmt: skip
        out.write(
            MakerEvent,
            ["id", "maker_id", "old_status", "new_status", "actor_id", "note", "created_at"],
            events,
        )
        out.write(
            Consent,
            ["id", "maker_id", "purpose", "wording_version", "given_at", "withdrawn_at"],
            consents,
        )
        out.write(
            MakerGroup,
            ["id", "hub_id", "name", "kind", "leader_id", "leader_name", "leader_contact",
             "member_count", "capacity_sets_per_week", "status", "created_at"],
            group_rows,
        )  # fmt: skip

    # --- stock and demand ----------------------------------------------------------------

    def _build_stock_and_demand(self) -> None:
        out, rng = self.out, self.rng
        pattern_rows = []
        existing = {
            (p.garment_type, p.size): p.pk
            for p in Pattern.objects.filter(hub__isnull=True, is_current=True)
        }
        for garment_type in GarmentType.values:
            for size in Size.values:
                if (garment_type, size) in existing:
                    self.patterns[garment_type, size] = existing[garment_type, size]
                    continue
                pk = out.next_id(Pattern)
                self.patterns[garment_type, size] = pk
                pattern_rows.append(
                    (pk, None, garment_type, size,
                     f"Scrub {'top' if garment_type == 'top' else 'trousers'}, size {size}",
                     Decimal("1.40") if garment_type == "top" else Decimal("1.60"), "",
                     "Sew with a 1 cm seam allowance. Use the ties provided, not elastic.",
                     True, self.start)
                )  # fmt: skip
        out.write(
            Pattern,
            ["id", "hub_id", "garment_type", "size", "name", "metres_per_garment",
             "instructions_url", "instructions_text", "is_current", "created_at"],
            pattern_rows,
        )  # fmt: skip

        donations, demand, changes = [], [], []
        for plan in self.hubs:
            plan.donation = out.next_id(Donation)
            donations.append(
                (plan.donation, plan.pk, "Local pattern cutters", "", Donation.Kind.CUTTING,
                 "Cut fabric into kits, free", Decimal(plan.kits * 6), "garments",
                 self.start.date(), plan.staff[0], None, None, self.start)
            )  # fmt: skip
            for garment_type in GarmentType.values:
                for size in Size.values:
                    plan.precut[garment_type, size] = out.next_id(PrecutStock)
        # One set of requests per hospital; every hub that supplies it links its deliveries
        # to them.
        lines: dict[tuple[int, str, str], int] = {}
        for hospital in sorted({h for plan in self.hubs for h in plan.hospitals}):
            for garment_type in GarmentType.values:
                for size in Size.values:
                    pk = out.next_id(DemandLine)
                    lines[hospital, garment_type, size] = pk
                    created = self.start + DAY * rng.randint(0, 7)
                    demand.append(
                        (pk, hospital, garment_type, size,
                         max(10, SIZE_WEIGHTS[size] * rng.randint(20, 120)),
                         DemandLine.Priority.URGENT if size in {"M", "L"}
                         else DemandLine.Priority.NORMAL,
                         (self.now + timedelta(weeks=8)).date(),
                         "Navy or teal. Ties, not elastic.", DemandLine.Status.OPEN,
                         self.laundry_of.get(hospital), created,
                         self.laundry_of.get(hospital), created)
                    )  # fmt: skip
                    changes.append(
                        (out.next_id(DemandChange), pk, self.laundry_of.get(hospital),
                         {"status": [None, "open"]}, "Recorded", created)
                    )  # fmt: skip
        for plan in self.hubs:
            plan.demand = {key: pk for key, pk in lines.items() if key[0] in plan.hospitals}
        out.write(
            Donation,
            ["id", "hub_id", "donor_name", "donor_contact", "kind", "description", "quantity",
             "unit", "received_on", "recorded_by_id", "thanked_at", "thanked_by_id",
             "created_at"],
            donations,
        )  # fmt: skip
        out.write(
            DemandLine,
            ["id", "hospital_id", "garment_type", "size", "quantity", "priority", "needed_by",
             "requirements", "status", "created_by_id", "created_at", "changed_by_id",
             "changed_at"],
            demand,
        )  # fmt: skip
        out.write(
            DemandChange,
            ["id", "line_id", "actor_id", "changes", "note", "created_at"],
            changes,
        )


# --- One hub's kits, played forward ----------------------------------------------------------

P = Place
K = Kit.Status
CHECK_FAIL_REASON = "Seams not finished"


@dataclass
class KitSpec:
    made_at: datetime
    t0: datetime  # when it left the shelf (the made_at until then)
    garment_type: str
    size: str
    count: int
    maker: int | None
    group: int | None
    point: int


class HubKits:
    """Builds one hub's kits and everything that hangs off them, then writes them."""

    def __init__(self, builder: SeedBuilder, plan: HubPlan):
        self.b = builder
        self.plan = plan
        self.rng = random.Random(builder.sizes.seed * 7919 + plan.index)  # test data, not security  # nosec B311
        self.out = builder.out
        self.now = builder.now
        self.kits: list[tuple] = []
        self.events: list[tuple] = []
        self.assignments: list[tuple] = []
        self.movements: list[tuple] = []
        self.handovers: dict[tuple, tuple] = {}
        self.holdings: list[tuple] = []
        self.checks: list[tuple] = []
        self.progress: list[tuple] = []
        self.plans: list[tuple] = []
        # delivery week -> {"hospital", "created", "received", "lines": {(t, s): {kit: n}}}
        self.deliveries: dict[int, dict] = {}
        self.tally: dict[tuple[str, str], Counter] = defaultdict(Counter)
        self.drawn: Counter = Counter()
        self.returned_to_stock: Counter = Counter()

    # The actors of each step: a helper at a point, a driver, hub staff.
    def _staff(self) -> int:
        return self.rng.choice(self.plan.staff)

    def _driver(self) -> int:
        return self.rng.choice(self.plan.drivers)

    def _specs(self) -> list[KitSpec]:
        plan, rng, b = self.plan, self.rng, self.b
        sizes, weights = list(SIZE_WEIGHTS), list(SIZE_WEIGHTS.values())
        history = (self.now - b.start).total_seconds()
        specs = []
        makers = plan.active_makers or []
        for _ in range(plan.kits):
            # More kits each week as word spreads (a gentle ramp, then steady).
            t0 = b.start + timedelta(seconds=history * math.sqrt(rng.random()))
            holder_maker, holder_group, point = None, None, rng.choice(plan.points)
            if plan.groups and rng.random() < 0.02:
                holder_group = rng.choice(plan.groups)
            elif makers:
                holder_maker, point = rng.choice(makers)
            else:
                holder_group = plan.groups[0]
            specs.append(
                KitSpec(
                    made_at=t0,
                    t0=t0,
                    garment_type=rng.choice(GarmentType.values),
                    size=rng.choices(sizes, weights=weights)[0],
                    count=rng.randint(2, 6),
                    maker=holder_maker,
                    group=holder_group,
                    point=point,
                )
            )
        if plan.bench_maker is not None:
            self._give_bench_maker_kits(specs)
        return specs

    def _give_bench_maker_kits(self, specs: list[KitSpec]) -> None:
        """The benchmark's maker has a history: finished kits, one at home, one waiting."""
        point = next(p for m, p in self.plan.active_makers if m == self.plan.bench_maker)
        wanted = [(40, 10_000)] * 8 + [(3, 5), (1.2, 1.8)]
        for low, high in wanted:
            for spec in specs:
                age = (self.now - spec.t0) / DAY
                if low <= age < high and spec.maker != self.plan.bench_maker:
                    spec.maker, spec.group, spec.point = self.plan.bench_maker, None, point
                    break

    def build(self) -> None:
        specs = self._specs()
        codes = _kit_codes(len(specs), self._taken_codes())
        for spec, code in zip(specs, codes, strict=True):
            self._kit(spec, code)
        self._write()

    def _taken_codes(self) -> set[str]:
        if self.b.taken_codes is None:
            self.b.taken_codes = set(Kit.objects.values_list("code", flat=True))
        return self.b.taken_codes

    # --- one kit's life ---------------------------------------------------------------

    def _kit(self, spec: KitSpec, code: str) -> None:
        rng, out, plan = self.rng, self.out, self.plan
        kit = out.next_id(Kit)
        n = spec.count
        counts: Counter = Counter()
        age = (self.now - spec.t0) / DAY
        staff = self._staff()
        status = K.PREPARED
        closed_at = None
        collection_point = None
        finished = 0
        assignment_end = None
        last_change = spec.t0

        def move(frm, to, count, when, actor, *, point=None, handover=None, line=None,
                 reason=""):  # fmt: skip
            nonlocal last_change
            if frm:
                counts[frm] -= count
            counts[to] += count
            last_change = when
            self.movements.append(
                (out.next_id(GarmentMovement), kit, frm, to, count, actor, point, handover,
                 line, reason, when)
            )  # fmt: skip

        def event(old, new, when, actor, note=""):
            self.events.append((out.next_id(KitEvent), kit, old, new, actor, note, when))

        def handover(key, kind, location, when, *, point=None, actor=None, maker=None,
                     group=None):  # fmt: skip
            found = self.handovers.get(key)
            if found is None:
                found = (out.next_id(Handover), plan.pk, kind, location, point, maker, group,
                         actor, "", None, None, when)  # fmt: skip
                self.handovers[key] = found
            return found[0]

        holder = {"maker": spec.maker, "group": spec.group}
        self.drawn[spec.garment_type, spec.size] += n
        move("", P.IN_KIT, n, spec.t0, staff)
        event("", K.PREPARED, spec.t0, staff)

        def finish(to_status, when, actor, note="", reason=""):
            nonlocal status, closed_at, assignment_end
            event(status, to_status, when, actor, note)
            status = to_status
            if to_status == K.CLOSED:
                closed_at = when
            assignment_end = (when, actor, reason or str(K(to_status).label))

        # A kit waits on the shelf for up to a few days before someone is given it.
        wait = timedelta(hours=rng.uniform(0, 60))
        t_alloc = spec.t0 + 20 * HOUR + wait
        if age >= 1 and rng.random() < 0.01:  # pieces cut to the wrong size: broken up
            move(P.IN_KIT, P.RETURNED_TO_STOCK, n, t_alloc, staff, reason="Kit cancelled")
            self.returned_to_stock[spec.garment_type, spec.size] += n
            event(status, K.CANCELLED, t_alloc, staff, "Pieces cut to the wrong size")
            status = K.CANCELLED
            return self._kit_row(kit, code, spec, status, counts, None, 0, None, last_change)
        if spec.t0 + 20 * HOUR + wait > self.now:
            return self._kit_row(kit, code, spec, status, counts, None, 0, None, last_change)
        # From here on, each step is timed from when the kit left the shelf.
        spec = replace(spec, t0=spec.t0 + wait)
        age = (self.now - spec.t0) / DAY

        collection_point = spec.point
        event(status, K.ALLOCATED, t_alloc, staff)
        status = K.ALLOCATED
        assignment = (out.next_id(KitAssignment), kit, spec.maker, spec.group, t_alloc, staff)
        if age < 2:
            self._assignment(assignment, None)
            return self._kit_row(
                kit, code, spec, status, counts, collection_point, 0, None, t_alloc
            )

        helper = plan.helper_by_point.get(spec.point, staff)
        t_collect = spec.t0 + 2 * DAY
        collected = handover(
            ("collect", kit), Handover.Kind.COLLECTED_BY_MAKER, Handover.Location.POINT,
            t_collect, point=spec.point, actor=helper, **holder,
        )  # fmt: skip
        move(P.IN_KIT, P.WITH_MAKER, n, t_collect, helper, point=spec.point, handover=collected,
             reason="Collected")  # fmt: skip
        event(status, K.WITH_MAKER, t_collect, helper)
        status = K.WITH_MAKER

        if age >= 5 and rng.random() < 0.01:  # the maker moved away
            move(P.WITH_MAKER, P.WRITTEN_OFF, n, spec.t0 + 5 * DAY, staff,
                 reason="The maker moved away and cannot be reached")  # fmt: skip
            finish(K.LOST, spec.t0 + 5 * DAY, staff, "The maker moved away")
            return self._finish_kit(kit, code, spec, status, counts, collection_point, 0,
                                    None, assignment, assignment_end, last_change)  # fmt: skip

        if age < 6:
            if age > 3 and rng.random() < 0.6:
                finished = rng.randint(1, n)
                self.progress.append(
                    (out.next_id(KitProgress), kit, finished, None, spec.t0 + 3 * DAY)
                )
                if finished == n and rng.random() < 0.5 and spec.maker:
                    # "Ready to return": the maker said where and when.
                    self.plans.append(
                        (out.next_id(ReturnPlan), spec.maker, kit, spec.point, False,
                         (self.now + DAY).date(), False, "", n, "", "open",
                         spec.t0 + 3 * DAY, None)
                    )  # fmt: skip
            return self._finish_kit(kit, code, spec, status, counts, collection_point,
                                    finished, None, assignment, None, last_change)  # fmt: skip

        # Finished garments come back: most at once at the point, some later at the hub.
        first = n if rng.random() < 0.7 else rng.randint(1, n - 1)
        t_return = spec.t0 + 6 * DAY
        returned = handover(
            ("return", kit), Handover.Kind.RETURNED_BY_MAKER, Handover.Location.POINT,
            t_return, point=spec.point, actor=helper, **holder,
        )  # fmt: skip
        move(P.WITH_MAKER, P.AT_POINT, first, t_return, helper, point=spec.point,
             handover=returned)  # fmt: skip
        held_at_point = first
        if age >= 7:
            t_pick = spec.t0 + 7 * DAY
            day = t_pick.date()
            picked = handover(
                ("pick", spec.point, day), Handover.Kind.PICKED_UP_BY_DRIVER,
                Handover.Location.POINT, t_pick, point=spec.point, actor=self._driver(),
            )  # fmt: skip
            move(P.AT_POINT, P.IN_TRANSIT, first, t_pick, self._driver(), point=spec.point,
                 handover=picked)  # fmt: skip
            held_at_point = 0
            if age >= 7.5:
                t_arrive = t_pick + 8 * HOUR
                arrived = handover(
                    ("arrive", t_arrive.date()), Handover.Kind.DELIVERED_TO_HUB,
                    Handover.Location.HUB, t_arrive, actor=self._driver(),
                )  # fmt: skip
                move(P.IN_TRANSIT, P.AWAITING_CHECK, first, t_arrive, self._driver(),
                     handover=arrived)  # fmt: skip
        self.holdings.append((out.next_id(PointHolding), spec.point, kit, held_at_point,
                              last_change))  # fmt: skip
        if first < n and age >= 9:
            t_rest = spec.t0 + 9 * DAY
            rest = handover(
                ("rest", kit), Handover.Kind.RETURNED_BY_MAKER, Handover.Location.HUB, t_rest,
                actor=staff, **holder,
            )  # fmt: skip
            move(P.WITH_MAKER, P.AWAITING_CHECK, n - first, t_rest, staff, handover=rest)
        if age < 10 or counts[P.WITH_MAKER] or counts[P.AT_POINT] or counts[P.IN_TRANSIT]:
            return self._finish_kit(kit, code, spec, status, counts, collection_point, 0,
                                    None, assignment, None, last_change)  # fmt: skip

        # The check: about one kit in ten has a garment that fails.
        t_check = spec.t0 + 10 * DAY
        failed = 1 if rng.random() < 0.1 else 0
        outcome = ""
        if failed:
            outcome = rng.choice([QualityCheck.FailedOutcome.REWORK,
                                  QualityCheck.FailedOutcome.WRITTEN_OFF])  # fmt: skip
            move(P.AWAITING_CHECK, outcome, failed, t_check, staff, reason=CHECK_FAIL_REASON)
        if n - failed:
            move(P.AWAITING_CHECK, P.PASSED, n - failed, t_check, staff)
        self.checks.append(
            (out.next_id(QualityCheck), kit, n - failed, failed, outcome,
             CHECK_FAIL_REASON if failed else "", staff, t_check)
        )  # fmt: skip
        if outcome == QualityCheck.FailedOutcome.REWORK:
            if age < 14:
                return self._finish_kit(kit, code, spec, status, counts, collection_point, 0,
                                        None, assignment, None, last_change)  # fmt: skip
            t_back = spec.t0 + 13 * DAY
            back = handover(
                ("rework", kit), Handover.Kind.RETURNED_BY_MAKER, Handover.Location.HUB,
                t_back, actor=staff, **holder,
            )  # fmt: skip
            move(P.REWORK, P.AWAITING_CHECK, 1, t_back, staff, handover=back)
            move(P.AWAITING_CHECK, P.PASSED, 1, t_back + DAY, staff)
            self.checks.append((out.next_id(QualityCheck), kit, 1, 0, "", "", staff, t_back + DAY))
        if not counts[P.PASSED]:  # its only garment was written off
            finish(K.CLOSED, t_check, staff, "Every garment is accounted for.", "Kit closed")
            return self._finish_kit(kit, code, spec, status, counts, collection_point, 0,
                                    closed_at, assignment, assignment_end, last_change)  # fmt: skip

        # Deliveries go weekly; a kit's passed garments go in the first one after 3 weeks.
        week = math.floor((spec.t0 + 21 * DAY - self.b.start) / timedelta(weeks=1))
        packed_at = self.b.start + timedelta(weeks=week)
        if packed_at > self.now:
            return self._finish_kit(kit, code, spec, status, counts, collection_point, 0,
                                    None, assignment, None, last_change)  # fmt: skip
        delivery = self._delivery(week, packed_at)
        line = self._line(delivery, spec.garment_type, spec.size)
        passed = counts[P.PASSED]
        move(P.PASSED, P.RESERVED, passed, packed_at, staff, line=line[0],
             reason=f"Packed for delivery {delivery['pk']}")  # fmt: skip
        line[1][kit] = passed
        if delivery["received"] is not None:
            laundry = delivery["laundry"]
            move(P.RESERVED, P.DELIVERED, passed, delivery["received"], laundry, line=line[0],
                 reason=f"Delivery {delivery['pk']} received")  # fmt: skip
            finish(K.CLOSED, delivery["received"], laundry, "Every garment is accounted for.",
                   "Kit closed")  # fmt: skip
        return self._finish_kit(kit, code, spec, status, counts, collection_point, 0,
                                closed_at, assignment, assignment_end, last_change)  # fmt: skip

    def _delivery(self, week: int, packed_at: datetime) -> dict:
        found = self.deliveries.get(week)
        if found is None:
            hospital = self.plan.hospitals[week % len(self.plan.hospitals)]
            received = packed_at + DAY
            found = {
                "pk": self.out.next_id(Delivery),
                "hospital": hospital,
                "laundry": self.b.laundry_of.get(hospital),
                "created": packed_at - 4 * HOUR,
                "sent": min(packed_at + 2 * HOUR, self.now),
                # This week's van has left; the laundry has not confirmed it yet.
                "received": received if received <= self.now else None,
                "lines": {},
            }
            self.deliveries[week] = found
        return found

    def _line(self, delivery: dict, garment_type: str, size: str) -> tuple[int, dict]:
        key = (garment_type, size)
        if key not in delivery["lines"]:
            delivery["lines"][key] = (self.out.next_id(DeliveryLine), {})
        return delivery["lines"][key]

    def _assignment(self, assignment: tuple, end) -> None:
        ended_at, ended_by, reason = end if end else (None, None, "")
        self.assignments.append((*assignment, ended_at, ended_by, reason[:200]))

    def _finish_kit(self, kit, code, spec, status, counts, point, finished, closed_at,
                    assignment, end, updated_at):  # fmt: skip
        self._assignment(assignment, end)
        return self._kit_row(kit, code, spec, status, counts, point, finished, closed_at,
                             updated_at)  # fmt: skip

    def _kit_row(self, kit, code, spec, status, counts, point, finished, closed_at,
                 updated_at):  # fmt: skip
        tally = self.tally[spec.garment_type, spec.size]
        for place in PLACES:
            tally[place] += counts[place]
        self.kits.append(
            (kit, code, self.plan.pk, spec.garment_type, spec.size, spec.count,
             Kit.Source.PRECUT, self.plan.precut[spec.garment_type, spec.size], None, None,
             self.b.patterns[spec.garment_type, spec.size], status, point, finished,
             self.plan.staff[0], spec.made_at, updated_at, closed_at,
             *(counts[place] for place in PLACES))
        )  # fmt: skip

    # --- writing ----------------------------------------------------------------------

    def _write(self) -> None:
        out, plan = self.out, self.plan
        # Stock first: the kits drew every garment from one pre-cut batch per type and size;
        # pieces from cancelled kits went back to the same batch.
        precut_rows = []
        for garment_type in GarmentType.values:
            for size in Size.values:
                pk = plan.precut[garment_type, size]
                drawn = self.drawn[garment_type, size]
                spare = self.rng.randint(0, 200)
                precut_rows.append(
                    (pk, plan.pk, None, plan.donation, "Local pattern cutters", garment_type,
                     size, drawn + spare,
                     spare + self.returned_to_stock[garment_type, size], plan.staff[0],
                     self.b.start)
                )  # fmt: skip
        out.write(
            PrecutStock,
            ["id", "hub_id", "fabric_lot_id", "donation_id", "cut_by", "garment_type", "size",
             "quantity_received", "quantity_available", "received_by_id", "created_at"],
            precut_rows,
        )  # fmt: skip
        out.write(
            Kit,
            ["id", "code", "hub_id", "garment_type", "size", "garment_count", "source",
             "precut_stock_id", "fabric_lot_id", "fabric_metres", "pattern_id", "status",
             "collection_point_id", "finished_count", "created_by_id", "created_at",
             "updated_at", "closed_at", *(qty_field(p) for p in PLACES)],
            self.kits,
        )  # fmt: skip
        out.write(
            KitEvent,
            ["id", "kit_id", "old_status", "new_status", "actor_id", "note", "created_at"],
            self.events,
        )
        out.write(
            KitAssignment,
            ["id", "kit_id", "maker_id", "group_id", "assigned_at", "assigned_by_id",
             "ended_at", "ended_by_id", "end_reason"],
            self.assignments,
        )  # fmt: skip
        out.write(
            Handover,
            ["id", "hub_id", "kind", "location", "point_id", "maker_id", "group_id",
             "recorded_by_id", "note", "run_id", "run_stop_id", "created_at"],
            self.handovers.values(),
        )  # fmt: skip
        deliveries, lines, allocations = [], [], []
        received_by_laundry: Counter = Counter()
        for delivery in self.deliveries.values():
            received = delivery["received"]
            short = received is not None and self.rng.random() < 0.02
            note = "One garment missing from the box; the seal was intact." if short else ""
            deliveries.append(
                (delivery["pk"], plan.pk, delivery["hospital"],
                 Delivery.Status.RECEIVED if received else Delivery.Status.SENT,
                 plan.staff[0], delivery["created"], delivery["sent"], plan.staff[0],
                 received, delivery["laundry"] if received else None, note, None, None, "",
                 "Thank you, every one of you." if received else "")
            )  # fmt: skip
            for (garment_type, size), (line_pk, by_kit) in delivery["lines"].items():
                sent = sum(by_kit.values())
                count_received = None
                if received:
                    count_received = sent - 1 if short else sent
                    short = False
                    received_by_laundry[garment_type, size] += count_received
                demand_line = plan.demand.get((delivery["hospital"], garment_type, size))
                lines.append(
                    (line_pk, delivery["pk"], garment_type, size, demand_line, sent,
                     count_received)
                )  # fmt: skip
                for kit, count in by_kit.items():
                    allocations.append((out.next_id(DeliveryAllocation), line_pk, kit, count))
        out.write(
            Delivery,
            ["id", "hub_id", "hospital_id", "status", "created_by_id", "created_at", "sent_at",
             "sent_by_id", "received_at", "confirmed_by_id", "discrepancy_note",
             "discrepancy_resolved_at", "discrepancy_resolved_by_id",
             "discrepancy_resolution", "thank_you_note"],
            deliveries,
        )  # fmt: skip
        out.write(
            DeliveryLine,
            ["id", "delivery_id", "garment_type", "size", "demand_line_id", "count_sent",
             "count_received"],
            lines,
        )  # fmt: skip
        out.write(
            GarmentMovement,
            ["id", "kit_id", "from_place", "to_place", "count", "actor_id", "point_id",
             "handover_id", "delivery_line_id", "reason", "created_at"],
            self.movements,
        )  # fmt: skip
        out.write(DeliveryAllocation, ["id", "line_id", "kit_id", "count"], allocations)
        out.write(PointHolding, ["id", "point_id", "kit_id", "count", "updated_at"], self.holdings)
        out.write(
            QualityCheck,
            ["id", "kit_id", "passed", "failed", "failed_outcome", "reason", "checked_by_id",
             "created_at"],
            self.checks,
        )  # fmt: skip
        out.write(
            KitProgress, ["id", "kit_id", "finished", "actor_id", "created_at"], self.progress
        )
        out.write(
            ReturnPlan,
            ["id", "maker_id", "kit_id", "point_id", "doorstep", "day", "unfinished", "reason",
             "finished_count", "note", "status", "created_at", "closed_at"],
            self.plans,
        )  # fmt: skip
        out.write(
            HubTally,
            ["id", "hub_id", "garment_type", "size", "received_by_laundry",
             *(qty_field(p) for p in PLACES)],
            (
                (out.next_id(HubTally), plan.pk, garment_type, size,
                 received_by_laundry[garment_type, size],
                 *(self.tally[garment_type, size][p] for p in PLACES))
                for (garment_type, size) in self.tally
            ),
        )  # fmt: skip
        self.b.report.garments += sum(kit[5] for kit in self.kits)


def seed_scale(sizes: SeedSizes, *, log: Callable[[str], None] = lambda _: None) -> SeedReport:
    """Build the dataset in one transaction (all of it, or none of it on any error)."""
    builder = SeedBuilder(sizes, log=log)
    return builder.build()
