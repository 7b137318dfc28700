"""Attacks tried against the public site and the admin login, and what must hold.

Everything runs against the test client on loopback, with bounded loops.
"""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import clear_url_caches

from press import services
from press.models import MediaInquiry
from tests.factories import ArticleFactory, UserFactory
from tests.press.helpers import inquiry_data

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    "javascript:alert(1)//",
    "{{ 7|add:7 }}{% now 'Y' %}",
]
# What must never appear verbatim in a page: markup that would run.
DANGEROUS = ["<script>alert", "<img src=x", "<svg onload", "</textarea><script>"]


def assert_inert(html):
    for fragment in DANGEROUS:
        assert fragment not in html


class TestXss:
    @pytest.mark.parametrize("payload", PAYLOADS)
    def test_inquiry_form_echoes_input_escaped(self, client, payload):
        fields = ["name", "outlet", "phone", "subject", "message", "topic", "region", "deadline"]
        data = inquiry_data(email="broken", **dict.fromkeys(fields, payload))
        response = client.post("/press/inquiry/", data)
        assert response.status_code == 200
        html = response.content.decode()
        assert_inert(html)
        if "{{" in payload:
            # Template syntax typed by a visitor is shown as text, never evaluated.
            assert 'value="{{ 7|add:7 }}' in html
        assert not MediaInquiry.objects.exists()

    def test_stored_inquiry_is_escaped_in_the_admin(
        self, admin_client, django_capture_on_commit_callbacks
    ):
        payload = PAYLOADS[1]
        anonymous = Client()
        with django_capture_on_commit_callbacks(execute=True):
            anonymous.post(
                "/press/inquiry/",
                inquiry_data(name=payload, subject=payload, message=PAYLOADS[0], topic=payload),
            )
        inquiry = MediaInquiry.objects.get()
        for url in (
            "/admin/press/mediainquiry/",
            f"/admin/press/mediainquiry/{inquiry.pk}/change/",
        ):
            assert_inert(admin_client.get(url).content.decode())
        # E-mail is plain text: the words arrive as typed, nothing is rendered.
        assert all(m.content_subtype == "plain" for m in mail.outbox)

    @pytest.mark.parametrize("payload", PAYLOADS)
    @pytest.mark.parametrize("param", ["q", "region", "topic", "type", "year", "from", "to"])
    def test_newsroom_list_parameters(self, client, param, payload):
        ArticleFactory(title="Prison conditions")
        response = client.get("/news/", {param: payload})
        assert response.status_code in (200, 400, 404)
        assert_inert(response.content.decode())
        feed = client.get("/news/feed/", {param: payload})
        assert feed.status_code in (200, 400, 404)
        assert_inert(feed.content.decode())

    def test_article_rich_text_is_sanitised_and_fields_escaped(self, client):
        article = ArticleFactory(
            title=PAYLOADS[0],
            summary=PAYLOADS[1],
            body=(
                "<p>Fine</p><script>alert(1)</script>"
                '<img src=x onerror="alert(1)">'
                '<a href="javascript:alert(1)">click</a>'
                '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>'
                "<iframe src='https://evil.example'></iframe>"
            ),
        )
        article.refresh_from_db()
        for fragment in ("<script", "onerror", "javascript:", "onclick", "<iframe", "style="):
            assert fragment not in article.body
        html = client.get(article.get_absolute_url()).content.decode()
        assert_inert(html)
        assert "javascript:alert" not in html and "onclick" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        for path in ("/news/", "/news/feed/", "/news/feed/atom/", "/"):
            assert_inert(client.get(path).content.decode())


class TestCsrf:
    def test_inquiry_without_token_is_refused(self):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/press/inquiry/", inquiry_data())
        assert response.status_code == 403
        assert not MediaInquiry.objects.exists()

    def test_inquiry_with_token_is_accepted(self, django_capture_on_commit_callbacks):
        client = Client(enforce_csrf_checks=True)
        client.get("/press/inquiry/")
        token = client.cookies["csrftoken"].value
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/press/inquiry/", {**inquiry_data(), "csrfmiddlewaretoken": token}
            )
        assert response.status_code == 303

    def test_admin_login_and_actions_without_token_are_refused(self, press_officer):
        client = Client(enforce_csrf_checks=True)
        response = client.post("/admin/login/", {"username": "x", "password": "y"})
        assert response.status_code == 403
        client.force_login(press_officer)
        response = client.post(
            "/admin/press/mediainquiry/", {"action": "mark_spam", "_selected_action": [1]}
        )
        assert response.status_code == 403


class TestRateLimit:
    def test_hammering_the_inquiry_form(self, client, django_capture_on_commit_callbacks):
        statuses = []
        for _ in range(services.SUBMISSION_LIMIT[0] + 5):
            with django_capture_on_commit_callbacks(execute=True):
                statuses.append(client.post("/press/inquiry/", inquiry_data()).status_code)
        assert statuses.count(303) == services.SUBMISSION_LIMIT[0]
        assert statuses[services.SUBMISSION_LIMIT[0] :] == [429] * 5
        assert MediaInquiry.objects.count() == services.SUBMISSION_LIMIT[0]


class TestAdminLogin:
    def test_brute_force_is_locked_out_with_a_friendly_page(self, client, settings):
        settings.AXES_ENABLED = True
        UserFactory(username="editor1", is_staff=True)
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            response = client.post(
                "/admin/login/?next=/admin/", {"username": "editor1", "password": "wrong"}
            )
            assert response.status_code == 200
        response = client.post("/admin/login/", {"username": "editor1", "password": "wrong"})
        assert response.status_code == 429
        # Even the right password is refused while locked.
        response = client.post(
            "/admin/login/",
            {"username": "editor1", "password": "correct horse battery staple"},
        )
        assert response.status_code == 429
        html = response.content.decode()
        assert "Too many login attempts" in html
        assert "<script" not in html
        assert "Content-Security-Policy" in response

    def test_good_password_still_works_below_the_limit(self, client, settings):
        settings.AXES_ENABLED = True
        UserFactory(username="editor2", is_staff=True)
        client.post("/admin/login/", {"username": "editor2", "password": "wrong"})
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": "editor2", "password": "correct horse battery staple"},
        )
        assert response.status_code == 302

    def test_admin_address_is_configurable(self, client, settings, admin_user):
        import newsroom.urls

        settings.ADMIN_URL = "back-office-7f3a/"
        try:
            importlib.reload(newsroom.urls)
            clear_url_caches()
            assert client.get("/admin/").status_code == 404
            response = client.get("/back-office-7f3a/")
            assert response.status_code == 302
            assert response["Location"].startswith("/back-office-7f3a/login/")
            client.force_login(admin_user)
            page = client.get("/back-office-7f3a/")
            assert page.status_code == 200
            assert "'unsafe-inline'" in page["Content-Security-Policy"]
        finally:
            settings.ADMIN_URL = "admin/"
            importlib.reload(newsroom.urls)
            clear_url_caches()


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "test-only-" + "x9Qv" * 16,
    "ALLOWED_HOSTS": "newsroom.example.org",
}


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
