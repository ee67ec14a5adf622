"""Security headers on a public page, an account page and a staff page."""

import pytest

from portal.roles import Role

pytestmark = pytest.mark.django_db


def assert_common_headers(response):
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_public_page_headers(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_common_headers(response)
    assert "no-store" not in response.get("Cache-Control", "")


def test_account_page_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert_common_headers(response)
    assert "no-store" in response["Cache-Control"]


def test_staff_page_headers(client, make_staff):
    client.force_login(make_staff(Role.TEAM_MANAGERS))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert_common_headers(response)
    assert "no-store" in response["Cache-Control"]


def test_https_settings_in_production(settings):
    """HSTS, secure cookies and the SSL redirect follow HTTPS_ONLY (on unless DEBUG)."""
    import os
    import subprocess
    import sys

    from tests.portal.test_settings import PRODUCTION, ROOT

    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS >= 31536000)"
    )
    env = {**os.environ, **PRODUCTION}
    env.pop("HTTPS_ONLY")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1].split() == ["True"] * 4, result.stderr
