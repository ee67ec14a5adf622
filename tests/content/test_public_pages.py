import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/", "A home from the start, whatever the court decides"),
        ("/accessibility/", "Accessibility statement"),
        ("/privacy/", "Privacy notice"),
    ],
)
def test_core_public_pages(client, path, heading):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f">{heading}</h1>" in html
    assert '<meta name="description"' in html
    assert 'href="/accessibility/"' in html
    assert 'href="/privacy/"' in html
    assert len(queries) <= 5


def test_unknown_pages_get_the_styled_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_500_page_stands_alone(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Sorry, there is a problem with the service" in html
