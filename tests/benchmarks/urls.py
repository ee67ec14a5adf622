"""The portal's URLs plus the baseline the benchmark compares every page with.

Only the benchmark's gunicorn uses this URLconf (``ROOT_URLCONF=tests.benchmarks.urls``):
the minimal view goes through the same middleware, so a page's ratio to it is what
the page itself costs, whatever else the machine is doing at the time.
"""

from django.http import HttpResponse
from django.urls import include, path

from portal.urls import handler403, handler404, handler500  # noqa: F401 - the URLconf's handlers


def minimal(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal", minimal, name="bench_minimal"),
    path("", include("portal.urls")),
]
