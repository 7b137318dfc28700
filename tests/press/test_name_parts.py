"""Names stored whole before contact cards knew given and family names are split once, by
a data migration, as sensibly as a rule can; the admin asks for both from then on."""

import importlib

import pytest
from django.apps import apps

from press.models import PressContact, Spokesperson
from tests.factories import PressContactFactory, SpokespersonFactory

migration = importlib.import_module("press.migrations.0009_given_and_family_names")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("full_name", "given", "family"),
    [
        ("Inés Calder", "Inés", "Calder"),
        ("Ana María Rivera", "Ana María", "Rivera"),
        ("Luis de la Cruz", "Luis", "de la Cruz"),
        ("Jan van der Berg", "Jan", "van der Berg"),
        ("Leila Haddad ", "Leila", "Haddad"),
        ("Suharto", "", "Suharto"),
    ],
)
def test_split_name(full_name, given, family):
    assert migration.split_name(full_name) == (given, family)


def test_the_migration_splits_names_not_yet_split_and_leaves_the_others():
    SpokespersonFactory(name="Luis de la Cruz", given_name="", family_name="")
    PressContactFactory(name="Inés Calder", given_name="", family_name="")
    SpokespersonFactory(name="Li Wei", given_name="Wei", family_name="Li")

    migration.split_existing_names(apps, None)

    names = {
        (p.name, p.given_name, p.family_name)
        for model in (Spokesperson, PressContact)
        for p in model.objects.all()
    }
    assert names == {
        ("Luis de la Cruz", "Luis", "de la Cruz"),
        ("Inés Calder", "Inés", "Calder"),
        ("Li Wei", "Wei", "Li"),
    }
