"""Staff roles come from code, applied after every migrate as auth's permissions are."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal

from core.roles import EDITORS, PRESS_OFFICE, ROLES, WRITERS

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def codenames(group_name):
    perms = Group.objects.get(name=group_name).permissions.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in perms}


def test_migrate_leaves_every_role_with_exactly_its_permissions():
    for name, wanted in ROLES.items():
        assert codenames(name) == set(wanted), name


def test_the_site_settings_belong_to_editors_and_the_press_office():
    assert "core.change_sitesettings" in codenames(EDITORS)
    assert "core.change_sitesettings" in codenames(PRESS_OFFICE)
    assert "core.change_sitesettings" not in codenames(WRITERS)


def test_post_migrate_restores_a_deleted_or_altered_role():
    Group.objects.filter(name=WRITERS).delete()
    editors = Group.objects.get(name=EDITORS)
    editors.permissions.add(Permission.objects.get(codename="delete_mediainquiry"))

    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    assert codenames(WRITERS) == set(ROLES[WRITERS])
    assert codenames(EDITORS) == set(ROLES[EDITORS])


def test_setup_roles_command(capsys):
    Group.objects.all().delete()

    call_command("setup_roles")

    assert set(Group.objects.values_list("name", flat=True)) == set(ROLES)
    assert codenames(PRESS_OFFICE) == set(ROLES[PRESS_OFFICE])
    assert "Roles up to date" in capsys.readouterr().out


@pytest.mark.parametrize(
    "path",
    ["articles/migrations/0004_roles.py", "press/migrations/0003_press_office_permissions.py"],
)
def test_old_role_migrations_call_no_application_code(path):
    """Migrations replay history; code that changes later must not run inside them."""
    source = (ROOT / path).read_text()
    assert "import" in source  # the migration still exists for databases that applied it
    for app in ("core", "newsroom", "articles", "press", "media_library"):
        assert f"from {app}" not in source
        assert f"import {app}" not in source
