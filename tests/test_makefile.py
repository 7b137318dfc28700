"""The two everyday commands: `make run` installs what the site needs and serves where
its links point; `make test` installs the test tools too (dry runs: nothing is run)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def dry_run(target):
    # -B: as on a fresh machine, every step is out of date; -n: print, do not run.
    result = subprocess.run(
        ["make", "-n", "-B", target, "PYTHON=python3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def installs(commands):
    return re.findall(r"pip install --quiet -e (\S+)", commands)


def test_run_installs_the_site_without_the_test_tools():
    assert installs(dry_run("run")) == ["."]


def test_test_and_install_install_the_dev_extra():
    assert '".[dev]"' in installs(dry_run("test"))
    assert '".[dev]"' in installs(dry_run("install"))


def test_run_gives_the_site_the_address_it_serves():
    commands = dry_run("run")
    served = re.search(r"runserver (\S+)", commands).group(1)
    for command in ("seed_demo", "worker", "runserver"):
        line = next(line for line in commands.splitlines() if f"manage.py {command}" in line)
        assert f"SITE_URL=http://{served} " in line, line
