"""Skip on a laptop that lacks a server or tool; fail in CI, where it must be there."""

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI needs this and it is missing: {reason}", pytrace=False)
    pytest.skip(reason)
