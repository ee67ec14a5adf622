"""Account pages use the portal's layout, GOV.UK form markup and GOV.UK words."""

import re

import pytest

from portal.roles import Role

pytestmark = pytest.mark.django_db


def test_sign_in_page_uses_the_portal_layout(client):
    html = client.get("/accounts/login/").content.decode()
    assert '<h1 class="govuk-heading-l">' in html
    assert "govuk-input" in html
    assert 'class="govuk-button"' in html
    assert "govuk-header" in html or "govuk-service-navigation" in html


def test_sign_in_errors_show_a_govuk_error_summary(client):
    response = client.post("/accounts/login/", {"login": "nobody@example.com", "password": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "alert-danger" not in html


def test_authenticator_setup_page_renders_for_staff(client, make_staff):
    # A session without an authenticator (an invitation leads here; see test_invitations).
    client.force_login(make_staff(Role.SOCIAL_WORKERS, mfa=False))
    response = client.get("/admin/", follow=True)
    # Setting up MFA is sensitive, so the password is asked for again first.
    assert response.redirect_chain[-1][0].startswith("/accounts/reauthenticate/")
    client.post(response.redirect_chain[-1][0], {"password": "correct-horse-battery-staple"})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Authenticator" in html
    assert "govuk-input" in html


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


def test_sign_in_with_errors_is_marked_as_an_error_page_with_the_fields_in_red(client):
    response = client.post("/accounts/login/", {"login": "nobody@example.com", "password": "x"})
    html = response.content.decode()
    title = re.search(r"<title>\s*(.*?)\s*</title>", html, re.S).group(1)
    assert title.startswith("Error: Sign in")
    # The error is on the password box: marked in red and linked from the summary.
    assert re.search(r'<input type="password"[^>]*class="govuk-input govuk-input--error"', html)
    assert "govuk-form-group govuk-form-group--error" in html
    assert 'href="#id_password"' in html


def test_email_and_password_boxes_in_error_get_the_red_border(client):
    from django import forms
    from django.template import Context, Template

    class Form(forms.Form):
        email = forms.EmailField()
        password = forms.CharField(widget=forms.PasswordInput)
        age = forms.IntegerField()
        phone = forms.CharField(widget=forms.TextInput(attrs={"type": "tel"}))

    form = Form(data={"email": "not an email", "password": "", "age": "x", "phone": ""})
    assert not form.is_valid()
    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))
    inputs = re.findall(r"<input [^>]*>", html)
    assert len(inputs) == 4
    for tag in inputs:
        assert "govuk-input--error" in tag, tag
        assert tag.count("govuk-input--error") == 1, tag


def test_sign_in_page_words_links_and_labels_follow_govuk(client):
    html = _main(client.get("/accounts/login/").content.decode())
    assert "Sign In" not in html and "Remember Me" not in html
    assert ">Email address" in html.replace("\n", "").replace("  ", "")
    assert "placeholder=" not in html
    links = re.findall(r"<a [^>]*>", html)
    assert links, "the sign-in page links to the reset page and to the public journeys"
    assert all('class="govuk-link"' in link for link in links), links


TITLE_CASE = re.compile(r">\s*(?:[A-Z][a-z]+ ){1,3}(?:[A-Z][a-z]+)\s*<")


def test_every_account_page_has_styled_links_and_sentence_case(client, make_staff):
    from allauth.account.models import EmailAddress

    from portal.models import User

    anonymous_pages = [
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/1-bad/",
        "/accounts/confirm-email/bad-key/",
        "/accounts/invitation/not-a-token/",
    ]
    member = User.objects.create_user(email="jo@example.com", password="a-long-passphrase-1")
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    staff = make_staff(Role.SOCIAL_WORKERS)
    signed_in_pages = [
        "/accounts/email/",
        "/accounts/password/change/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
        "/accounts/2fa/",
    ]
    seen = 0
    for user, pages in (
        (None, anonymous_pages),
        (member, signed_in_pages),
        (staff, ["/accounts/2fa/"]),
    ):
        client.logout()
        if user:
            client.force_login(user)
        for path in pages:
            response = client.get(path, follow=True)
            html = _main(response.content.decode())
            for link in re.findall(r"<a [^>]*>", html):
                assert "class=" in link, (path, link)
            assert not TITLE_CASE.search(html), (path, TITLE_CASE.search(html).group(0))
            assert "placeholder=" not in html, path
            seen += 1
    assert seen == len(anonymous_pages) + len(signed_in_pages) + 1


def test_two_step_sign_in_pages_have_styled_links_and_sentence_case(client, make_staff):
    checked = []
    staff = make_staff(Role.SOCIAL_WORKERS)
    client.post(
        "/accounts/login/", {"login": staff.email, "password": "correct-horse-battery-staple"}
    )
    wrong_code = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    setup_user = make_staff(Role.SOCIAL_WORKERS, mfa=False)
    other = client_class_for(setup_user)
    reauth = other.post("/accounts/reauthenticate/", {"password": "correct-horse-battery-staple"})
    assert reauth.status_code == 302
    setup = other.get("/accounts/2fa/totp/activate/")
    wrong_setup = other.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    for name, response in (
        ("code", client.get("/accounts/2fa/authenticate/")),
        ("wrong code", wrong_code),
        ("setup", setup),
        ("wrong setup code", wrong_setup),
    ):
        assert response.status_code == 200, name
        html = response.content.decode()
        main = _main(html)
        # Links in the error summary are styled by the summary itself.
        outside_summary = re.sub(r'<div class="govuk-error-summary".*?</ul>', "", main, flags=re.S)
        for link in re.findall(r"<a [^>]*>", outside_summary):
            assert "class=" in link, (name, link)
        assert not TITLE_CASE.search(main), (name, TITLE_CASE.search(main).group(0))
        assert "placeholder=" not in main, name
        if name.startswith("wrong"):
            assert re.search(r"<title>\s*Error: ", html), name
            assert "govuk-input--error" in main, name
        checked.append(name)
    assert len(checked) == 4


def client_class_for(user):
    from django.test import Client

    other = Client()
    other.force_login(user)
    return other
