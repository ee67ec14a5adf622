"""No Docker engine runs in CI, so the compose file is checked by reading it."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def load():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services():
    services = load()["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis", "cache", "mail"}
    assert services["db"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["cache"]["image"] == "redis:7"


def options(command: str) -> dict[str, str]:
    words = command.split()
    return {
        word[2:]: value
        for word, value in zip(words, words[1:], strict=False)
        if word.startswith("--")
    }


def test_the_cache_is_a_bounded_redis_apart_from_the_broker():
    services = load()["services"]
    cache = options(services["cache"]["command"])
    assert cache["maxmemory"] == "256mb"
    assert cache["maxmemory-policy"] == "allkeys-lru"
    assert cache["appendonly"] == "no"
    broker = options(services["redis"]["command"])
    assert broker["maxmemory-policy"] == "noeviction"
    assert broker["appendonly"] == "yes"
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["CACHE_URL"].startswith("redis://cache:6379")
        assert services[name]["depends_on"]["cache"]["condition"] == "service_healthy"


def test_every_service_has_a_healthcheck():
    for name, service in load()["services"].items():
        assert "healthcheck" in service, name


def test_portal_services_share_settings_and_wait_for_their_backends():
    services = load()["services"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        env = service["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        assert "EMAIL_URL" in env
        assert service["env_file"] == ".env"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert "documents:/app/media" in service["volumes"]
    assert "migrate" in services["web"]["command"]
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]


def test_volumes_keep_the_database_and_documents():
    assert {"postgres-data", "documents"} <= set(load()["volumes"])


def test_env_example_names_every_required_setting():
    example = (ROOT / ".env.example").read_text()
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "POSTGRES_PASSWORD", "DEBUG"):
        assert f"{name}=" in example
