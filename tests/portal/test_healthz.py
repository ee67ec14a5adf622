import pytest

from portal import views

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_service(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_a_service_is_down(client, monkeypatch):
    def broker_down():
        raise ConnectionRefusedError

    monkeypatch.setitem(views.CHECKS, "broker", broker_down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert response.json()["database"] == "ok"


def test_healthz_sees_an_unreachable_redis_broker(client, celery_broker):
    with celery_broker("redis://127.0.0.1:1/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "error"


def test_healthz_uses_redis_in_ci(client, settings, require_redis):
    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    assert client.get("/healthz").json()["cache"] == "ok"
