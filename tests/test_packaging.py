"""Every app of the project is in the package it installs as and in the coverage it
reports: an app left out installs without its code, and its untested lines go unseen."""

import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

PYPROJECT = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text())


def project_apps():
    """Top-level packages of the INSTALLED_APPS that are folders of this repository
    (not those installed into a virtualenv inside it)."""
    root = Path(settings.BASE_DIR).resolve()
    names = set()
    for config in apps.get_app_configs():
        package = config.name.split(".")[0]
        if (root / package).resolve() in (
            Path(config.path).resolve(),
            *Path(config.path).resolve().parents,
        ):
            names.add(package)
    # The settings package is an app too (templates, checks); count it even if not listed.
    return names | {settings.ROOT_URLCONF.split(".")[0]}


def test_the_project_apps_are_found():
    assert {"core", "articles", "press", "alerts", "embargo"} <= project_apps()


def test_every_app_is_packaged():
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = {pattern.removesuffix("*") for pattern in include}
    assert sorted(project_apps() - packaged) == []


def test_every_app_is_measured_by_coverage():
    source = set(PYPROJECT["tool"]["coverage"]["run"]["source"])
    assert sorted(project_apps() - source) == []
