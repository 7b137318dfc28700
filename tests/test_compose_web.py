"""scripts/check_compose.py requires nginx in front, serving media, and the app hidden."""

import copy
import importlib.util
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("check_compose", ROOT / "scripts/check_compose.py")
check_compose = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_compose)


@pytest.fixture
def services():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_the_compose_file_passes(services):
    assert check_compose.web_problems(services, ROOT) == []
    assert check_compose.project_problems(services) == []


def _broken(services, change):
    services = copy.deepcopy(services)
    change(services)
    return check_compose.web_problems(services, ROOT)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda s: s.pop("web"), "no 'web' service"),
        (lambda s: s.pop("worker"), "no 'worker' service"),
        (lambda s: s["app"].update(ports=["8000:8000"]), "app: must not publish a port"),
        (lambda s: s["web"].update(image="caddy:2"), "official nginx image"),
        (
            lambda s: s["web"]["volumes"].append("private_media:/srv/private:ro"),
            "never mount the originals",
        ),
        (
            lambda s: s["web"].update(
                volumes=[
                    "./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro",
                    "media:/srv/media",
                ]
            ),
            "media volume read-only",
        ),
        (lambda s: s["web"].pop("healthcheck"), "web: no healthcheck"),
    ],
)
def test_what_the_check_refuses(services, change, problem):
    assert any(problem in found for found in _broken(services, change))


def test_the_nginx_config_must_carry_the_media_headers(services, tmp_path):
    config = (ROOT / "deploy/nginx.conf").read_text().replace('"nosniff"', '"off"')
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy/nginx.conf").write_text(config)
    problems = check_compose.web_problems(services, tmp_path)
    assert any("X-Content-Type-Options" in p for p in problems)
