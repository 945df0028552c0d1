"""seed_scale at tiny sizes: every rule of the schema holds, and the app carries on from it.

The national set itself is never built in the test suite (`make bench` does that).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from makers.models import Maker
from packages import services as packages
from packages.audit import garment_audit
from packages.models import (
    PLACES,
    Delivery,
    DeliveryAllocation,
    DeliveryLine,
    HubTally,
    Kit,
    KitAssignment,
    PointHolding,
    PrecutStock,
    qty_field,
)
from packages.seed import BENCH_USERS, SeedSizes, seed_scale
from packages.services import normalise_kit_code
from scrubhub.hubs.models import Hospital, Hub, Membership, Role

ROOT = Path(__file__).resolve().parents[2]
TINY = SeedSizes(hubs=3, makers=120, kits=600, hospitals=4, weeks=12, seed=7)


@pytest.fixture
def seeded(db):
    return seed_scale(TINY)


def test_tiny_seed_balances_the_garment_books(seeded):
    assert garment_audit() == []
    assert Kit.objects.count() == TINY.kits
    assert Maker.objects.count() == TINY.makers
    assert Hub.objects.count() == TINY.hubs
    assert Hospital.objects.count() == TINY.hospitals
    assert seeded.garments == Kit.objects.aggregate(n=Sum("garment_count"))["n"]


def test_the_largest_hub_has_its_share_of_makers_and_kits(seeded):
    largest = Hub.objects.get(slug=seeded.largest_hub_slug)
    assert largest.makers.count() == round(TINY.makers * TINY.largest_share)
    assert largest.kits.count() > Kit.objects.exclude(hub=largest).count()


def test_kits_go_through_every_stage_of_their_life(seeded):
    statuses = Counter(Kit.objects.values_list("status", flat=True))
    for status in ("prepared", "allocated", "with_maker", "closed"):
        assert statuses[status] > 0, f"no {status} kits in {statuses}"
    places = Kit.objects.aggregate(**{p: Sum(qty_field(p)) for p in PLACES})
    for place in ("with_maker", "delivered", "passed", "written_off"):
        assert places[place] > 0, f"no garments {place} in {places}"


def test_kit_codes_are_unique_and_read_back_as_typed(seeded):
    codes = list(Kit.objects.values_list("code", flat=True))
    assert len(set(codes)) == len(codes)
    assert all(normalise_kit_code(code) == code for code in codes)


def test_tallies_count_what_the_laundry_received(seeded):
    received = Counter()
    for hub_id, garment_type, size, count in DeliveryLine.objects.filter(
        delivery__status=Delivery.Status.RECEIVED
    ).values_list("delivery__hub_id", "garment_type", "size", "count_received"):
        received[hub_id, garment_type, size] += count
    tallies = {
        (t.hub_id, t.garment_type, t.size): t.received_by_laundry for t in HubTally.objects.all()
    }
    assert received
    for key, count in received.items():
        assert tallies[key] == count


def test_delivery_lines_add_up_their_allocations_and_open_kits_have_one_holder(seeded):
    for line in DeliveryLine.objects.annotate(allocated=Sum("allocations__count")):
        assert line.count_sent == line.allocated
    assert DeliveryAllocation.objects.exists()
    open_kits = Kit.objects.filter(status__in=["allocated", "with_maker"])
    assert KitAssignment.objects.filter(kit__in=open_kits, ended_at__isnull=True).count() == (
        open_kits.count()
    )
    assert not KitAssignment.objects.filter(
        kit__status__in=["closed", "lost"], ended_at__isnull=True
    ).exists()
    held = PointHolding.objects.aggregate(n=Sum("count"))["n"]
    assert held == Kit.objects.aggregate(n=Sum("qty_at_point"))["n"]


def test_the_benchmarks_log_ins_exist_where_the_benchmark_needs_them(seeded):
    largest = Hub.objects.get(slug=seeded.largest_hub_slug)
    role_of = {
        "staff": Role.COORDINATOR,
        "maker": Role.MAKER,
        "helper": Role.POINT_HELPER,
        "driver": Role.DRIVER,
    }
    for persona, role in role_of.items():
        assert Membership.objects.filter(
            user__username=BENCH_USERS[persona], role=role, hub=largest
        ).exists(), persona
    laundry = Membership.objects.get(user__username=BENCH_USERS["laundry"], role=Role.LAUNDRY)
    assert largest.hospitals.filter(pk=laundry.hospital_id).exists()
    maker = Maker.objects.get(user__username=BENCH_USERS["maker"])
    assert maker.hub == largest and maker.status == Maker.Status.ACTIVE
    assert KitAssignment.objects.filter(maker=maker).count() >= 5
    helper_point = Membership.objects.get(user__username=BENCH_USERS["helper"]).point
    assert maker.preferred_point == helper_point


def test_the_services_carry_on_from_a_seeded_world(seeded):
    """Ids come after the seeded rows, and the counters stay right as the app writes."""
    largest = Hub.objects.get(slug=seeded.largest_hub_slug)
    staff = Membership.objects.get(user__username=BENCH_USERS["staff"]).user
    batch = PrecutStock.objects.filter(hub=largest, quantity_available__gte=4).first()
    kits = packages.kits_prepare(
        hub=largest,
        garment_type=batch.garment_type,
        size=batch.size,
        kit_count=2,
        garments_per_kit=2,
        actor=staff,
        precut_stock=batch,
    ).kits.order_by("pk")
    assert len(kits) == 2
    maker = Maker.objects.get(user__username=BENCH_USERS["maker"])
    packages.kit_allocate(kit=kits[0], actor=staff, maker=maker)
    packages.kit_collect(kit=kits[0], actor=staff)
    assert garment_audit() == []


def test_seeding_twice_into_one_database_keeps_every_rule(seeded):
    again = seed_scale(SeedSizes(hubs=2, makers=40, kits=50, hospitals=2, weeks=8, seed=8))
    assert again.largest_hub_slug != seeded.largest_hub_slug
    assert Kit.objects.count() == TINY.kits + 50
    assert garment_audit() == []


def test_the_command_refuses_production_settings(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=true"):
        call_command("seed_scale", "--hubs=1", "--makers=10", "--kits=5", "--hospitals=1")


def test_the_command_refuses_sizes_that_make_no_world(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="ten makers per hub"):
        call_command("seed_scale", "--hubs=5", "--makers=10", "--kits=5", "--hospitals=1")


def test_the_command_reports_and_audits(db, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command(
        "seed_scale",
        "--hubs=2",
        "--makers=30",
        "--kits=40",
        "--hospitals=2",
        "--weeks=6",
        "--audit",
        stdout=out,
    )
    assert "Seeded" in out.getvalue()
    assert "bench-staff" in out.getvalue()


def test_seed_scale_works_on_sqlite_too(tmp_path):
    """The laptop default (`make run` uses SQLite): batched INSERTs instead of COPY."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'seed.sqlite3'}",
        "DJANGO_DEBUG": "true",
        "SCRUBHUB_VAR_DIR": str(tmp_path),
    }
    env.pop("CELERY_BROKER_URL", None)
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v0"], cwd=ROOT, env=env, check=True)  # noqa: S603
    done = subprocess.run(  # noqa: S603
        [*run, "seed_scale", "--hubs=2", "--makers=30", "--kits=60", "--hospitals=2", "--audit"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Seeded" in done.stdout
