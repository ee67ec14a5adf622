"""Production settings: refuse to start without secrets; ``check --deploy`` is clean."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "-production-like-secret-key-with-enough-entropy-9f8e7d6c5b4a",
    "ALLOWED_HOSTS": "portal.oakway.example",
    "SITE_URL": "https://portal.oakway.example",
    "HTTPS_ONLY": "true",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION}
    env.update(PRODUCTION)
    env.update(env_overrides)
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_refuses_to_start_without_a_secret_key():
    result = manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_refuses_to_start_without_allowed_hosts():
    result = manage("check", ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_refuses_to_start_without_a_site_url():
    result = manage("check", SITE_URL="")
    assert result.returncode != 0
    assert "SITE_URL must be set" in result.stderr


def test_debug_runs_with_embedded_defaults():
    result = manage("check", DEBUG="true", SECRET_KEY="", ALLOWED_HOSTS="", SITE_URL="")
    assert result.returncode == 0, result.stderr


def test_production_hashes_passwords_with_a_slow_hasher():
    """Tests hash with MD5 to save time (tests/conftest.py); a real process never does."""
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] in {
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    }, result.stdout
