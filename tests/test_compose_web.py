"""The compose file's web service: reachable only through the proxy, with request limits."""

import ipaddress
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def env_example() -> dict:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_web_is_published_on_loopback_only():
    for service in compose()["services"].values():
        for port in service.get("ports", []):
            if "8000" in str(port):
                assert str(port).startswith("127.0.0.1:"), port
    assert compose()["services"]["web"]["ports"] == ["127.0.0.1:8000:8000"]


def test_the_proxy_is_the_only_trusted_address():
    (network,) = compose()["networks"]["default"]["ipam"]["config"]
    gateway = ipaddress.ip_address(network["gateway"])
    assert gateway in ipaddress.ip_network(network["subnet"])
    assert env_example()["TRUSTED_PROXIES"] == str(gateway)


def test_gunicorn_limits_request_lines_and_headers():
    command = compose()["services"]["web"]["command"]
    for option in ("--limit-request-line", "--limit-request-fields", "--limit-request-field_size"):
        assert option in command
