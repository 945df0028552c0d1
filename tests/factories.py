"""factory_boy factories for test data. One factory per model; later areas add theirs below."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from dropoffs.models import Point
from scrubhub.hubs.models import Hospital, Hub, Membership, Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save(update_fields=["password"])


class HospitalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hospital

    name = factory.Sequence(lambda n: f"Hospital {n}")
    slug = factory.Sequence(lambda n: f"hospital-{n}")
    laundry_name = "Central laundry"
    sets_in_circulation = 6500


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Scrub Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")
    area = "Dundee"
    phone = "01382 000000"
    email = factory.Sequence(lambda n: f"hub{n}@example.org")
    latitude = Decimal("56.458")
    longitude = Decimal("-2.982")


class PointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Point

    hub = factory.SubFactory(HubFactory)
    name = factory.Sequence(lambda n: f"Point {n}")
    address = "1 High Street, Dundee"
    postcode = "DD1 1AA"
    latitude = Decimal("56.460")
    longitude = Decimal("-2.970")
    opening_hours = "Mon–Fri 10:00–16:00"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.HUB_STAFF
    hub = factory.SubFactory(HubFactory)
