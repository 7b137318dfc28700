"""The browser tests' own set-up: missing tools skip locally and fail under CI."""

import pytest

from tests.browser import conftest


def test_missing_tool_skips_outside_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="install-browser"):
        conftest._unavailable("Chromium is missing.")


def test_missing_tool_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="cannot run in CI: Chromium is missing"):
        conftest._unavailable("Chromium is missing.")
