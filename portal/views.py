"""Cross-cutting views: the health check and the error pages."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _check_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _check_cache() -> bool:
    cache.set("healthz", "ok", 10)
    return cache.get("healthz") == "ok"


def _check_broker() -> bool:
    from .celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return True


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
@require_GET
def healthz(request):
    """Is each service the portal needs reachable? 200 if all are, 503 if any is not."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = "ok" if check() else "error"
        except Exception as exc:  # noqa: BLE001 - a health check reports, it does not raise
            logger.warning("Health check %s failed: %s", name, type(exc).__name__)
            results[name] = "error"
    healthy = all(value == "ok" for value in results.values())
    payload = {"status": "ok" if healthy else "error", **results}
    if settings.DEBUG:
        payload["broker_url"] = "redis" if settings.REDIS_URL else "filesystem"
    return JsonResponse(payload, status=200 if healthy else 503)


def admin_view_on_site(request, content_type_id, object_id):
    """The admin's "View on site" link, only for staff who may see the object in the admin.

    Django's own redirect follows any object's ``get_absolute_url`` for any staff member,
    and a booking's is its manage page: the token in it is all a booker has to keep
    their details and their place safe.
    """
    from django.contrib import admin
    from django.contrib.contenttypes.models import ContentType
    from django.contrib.contenttypes.views import shortcut

    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError):
        raise Http404("No such object") from None
    model_admin = admin.site._registry.get(model)
    if model_admin is None or not model_admin.has_view_permission(request):
        raise PermissionDenied
    return shortcut(request, content_type_id, object_id)


@require_GET
def favicon(request):
    """Browsers and tools ask for /favicon.ico whatever the page says: send them the icon."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("images/favicon.svg"))


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)
