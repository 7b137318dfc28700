"""The project's shape, checked from the tree: no app grows to hold most of the code again.
Which app may import which, and that modules import in no circle, is import-linter's
contract (pyproject.toml, ``lint-imports`` in CI).
"""

from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# What is not an app: benchmarks, scripts and the tests themselves.
NOT_APPS = {"bench", "scripts", "tests"}
MAX_SHARE = 0.30


def app_packages():
    """The project's top-level Python packages (the apps and ``newsroom``)."""
    return sorted(
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_APPS and not path.parent.name.startswith(".")
    )


def python_lines(package):
    return sum(
        len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / package).rglob("*.py")
    )


def test_no_app_holds_more_than_its_share_of_the_lines():
    lines = {package: python_lines(package) for package in app_packages()}
    total = sum(lines.values())
    too_big = {
        package: f"{count / total:.0%}"
        for package, count in lines.items()
        if count > MAX_SHARE * total
    }
    assert too_big == {}, f"over {MAX_SHARE:.0%} of {total} lines: {too_big}"


def test_the_apps_are_found():
    assert {"core", "articles", "desk", "press", "newsroom"} <= set(app_packages())
