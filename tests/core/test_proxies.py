"""Trusted proxies: forwarded headers are believed from TRUSTED_PROXIES and no one else.

Behind a proxy every request arrives from the proxy's address; the visitor's is in
X-Forwarded-For. Believing that header from anyone lets a visitor pose as any address;
ignoring it behind a proxy makes every visitor one address, so five bad logins would
lock a username for everyone.
"""

import ipaddress
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.test import RequestFactory

from core.security import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.2"
LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY, "10.1.0.0/16"]
    return settings


def login(client, password, *, via=None, remote=None):
    extra = {"REMOTE_ADDR": remote or PROXY}
    if via:
        extra["HTTP_X_FORWARDED_FOR"] = via
    return client.post(LOGIN, {"username": "editor1", "password": password}, **extra)


class TestLoginThrottleBehindTheProxy:
    @pytest.fixture(autouse=True)
    def _axes(self, settings, behind_proxy):
        settings.AXES_ENABLED = True
        UserFactory(username="editor1", is_staff=True)

    def test_five_bad_logins_from_five_clients_lock_nobody_out(self, client):
        for n in range(5):
            assert login(client, "wrong", via=f"198.51.100.{n}").status_code == 200

        assert login(client, PASSWORD, via="203.0.113.50").status_code == 302

    def test_one_client_locked_out_does_not_lock_the_others(self, client):
        for _ in range(5):
            login(client, "wrong", via="198.51.100.9")

        assert login(client, PASSWORD, via="198.51.100.9").status_code == 429
        assert login(client, PASSWORD, via="203.0.113.50").status_code == 302

    def test_a_forged_forwarded_for_does_not_escape_the_lock(self, client):
        """Straight to the app, not through the proxy: the header is the visitor's own."""
        for n in range(5):
            login(client, "wrong", via=f"198.51.100.{n}", remote="203.0.113.66")

        response = login(client, PASSWORD, via="192.0.2.1", remote="203.0.113.66")
        assert response.status_code == 429


class TestClientAddress:
    rf = RequestFactory()

    def address(self, remote, forwarded=None):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return client_ip(self.rf.get("/", **extra))

    def test_from_a_visitor_the_connection_counts(self, behind_proxy):
        assert self.address("203.0.113.7", "10.9.9.9") == "203.0.113.7"

    @pytest.mark.parametrize(
        ("forwarded", "expected"),
        [
            ("203.0.113.9", "203.0.113.9"),
            # The left-hand entries are whatever the client sent.
            ("6.6.6.6, 203.0.113.9", "203.0.113.9"),
            # Through two proxies we trust: walk past both.
            ("6.6.6.6, 203.0.113.9, 10.1.4.4", "203.0.113.9"),
            ("2001:db8::7", "2001:db8::7"),
            # Nothing usable: the nearest address we can vouch for.
            ("", PROXY),
            ("not-an-address", PROXY),
            ("203.0.113.9, garbage, 10.1.4.4", "10.1.4.4"),
        ],
    )
    def test_from_a_trusted_proxy_the_address_it_saw_counts(
        self, behind_proxy, forwarded, expected
    ):
        assert self.address(PROXY, forwarded) == expected

    def test_without_a_proxy_header(self, behind_proxy):
        assert self.address(PROXY) == PROXY

    def test_nothing_is_trusted_when_no_proxy_is_named(self, settings):
        settings.TRUSTED_PROXIES = []
        assert self.address("127.0.0.1", "203.0.113.9") == "127.0.0.1"


class TestForwardedProto:
    """HTTPS detection believes X-Forwarded-Proto only from a trusted proxy."""

    @pytest.fixture(autouse=True)
    def _production_https(self, settings, behind_proxy):
        settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        settings.SECURE_SSL_REDIRECT = True

    def test_forged_by_a_visitor_it_is_ignored(self, client):
        response = client.get(
            "/healthz", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_PROTO="https"
        )
        assert response.status_code == 301
        assert response["Location"].startswith("https://")

    def test_from_a_trusted_proxy_it_is_honoured(self, client):
        response = client.get("/healthz", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
        assert response.status_code == 200
        assert response.wsgi_request.is_secure()

    def test_plain_http_through_the_proxy_is_redirected(self, client):
        response = client.get("/healthz", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http")
        assert response.status_code == 301


def _environment(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TRUSTED_"))}
    return env | {"DJANGO_SETTINGS_MODULE": "newsroom.settings", **extra}


def test_gunicorn_trusts_the_same_proxies():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "newsroom/gunicorn.conf.py", "--print-config"],
        cwd=ROOT,
        env=_environment(TRUSTED_PROXIES="10.0.0.1/8, 192.168.1.5"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "forwarded_allow_ips" in line)
    assert line.split("=", 1)[1].strip() == "['10.0.0.0/8', '192.168.1.5/32']"


def test_a_mistyped_proxy_refuses_to_start():
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.TRUSTED_PROXIES"],
        cwd=ROOT,
        env=_environment(TRUSTED_PROXIES="10.0.0.300"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


def test_the_old_proxy_settings_are_gone(settings):
    for name in ("BEHIND_PROXY", "PROXY_COUNT"):
        assert not hasattr(settings, name)


def test_compose_trusts_its_proxy_and_no_visitor():
    """The default names the upper half of the compose network, where only a proxy with a
    fixed address lives: not the gateway through which published ports are reached, and
    not the half Docker hands out to the other containers."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    default = compose["x-app"]["environment"]["TRUSTED_PROXIES"]
    trusted = ipaddress.ip_network(default.removeprefix("${TRUSTED_PROXIES:-").rstrip("}"))
    ipam = compose["networks"]["default"]["ipam"]["config"][0]
    subnet = ipaddress.ip_network(ipam["subnet"])
    dynamic = ipaddress.ip_network(ipam["ip_range"])

    assert trusted.subnet_of(subnet)
    assert not trusted.overlaps(dynamic)
    assert next(subnet.hosts()) not in trusted  # the gateway
    for name, service in compose["services"].items():
        assert "FORWARDED_ALLOW_IPS" not in (service.get("environment") or {}), name
