"""The public registration form end to end through Django's test client."""

from __future__ import annotations

import pytest
from django.core import mail

from registrations.models import Camera, ConsentRecord, Registration
from tests.conftest import run_queued_tasks
from tests.registrations.helpers import form_data, post

pytestmark = pytest.mark.django_db

MAPLE_ADDRESS = "101 1st St"


@pytest.fixture
def terms(town):
    return town["maple"].current_terms()


def run_tasks() -> None:
    run_queued_tasks()


def test_it_shows_the_form(client, town):
    response = client.get("/register/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="owner_name"' in page
    assert 'name="website"' in page  # honeypot present
    assert "cameras-TOTAL_FORMS" in page


def test_it_registers_with_cameras_and_consent(client, town, terms):
    before = Registration.objects.count()
    response = post(client, form_data(terms.pk, cameras=2))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/register/thanks/"
    assert Registration.objects.count() == before + 1
    registration = Registration.objects.order_by("-id").first()
    assert registration.agency == town["maple"]
    assert registration.owner_name == "Rosa Alvarez"
    assert registration.owner_phone == "708-555-0142"
    assert registration.status == "pending"
    assert registration.cameras.count() == 2
    camera = registration.cameras.first()
    assert camera.locations == ["driveway", "front"]
    assert camera.bearing_degrees == 180 and camera.retention_days == 14 and camera.records_street
    consent = ConsentRecord.objects.get(registration=registration)
    assert consent.terms_version == terms and consent.source == "web_form"
    thanks = client.get("/register/thanks/")
    assert "101 1st St" in thanks.content.decode()


def test_it_emails_a_private_link_that_opens_the_owners_registration(client, town, terms):
    post(client, form_data(terms.pk))
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa.alvarez@example.com"]
    assert "Maple Falls Police Department" in message.subject
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    link = next(word for word in message.body.split() if "/manage/link/" in word)
    path = link.split("http://127.0.0.1:8000", 1)[-1]
    owner = type(client)()
    assert owner.get(path).status_code == 200  # confirm button only; scanners do not use the link up
    assert owner.post(path).status_code == 302
    assert "101 1st St" in owner.get("/manage/").content.decode()
    assert owner.post(path).status_code == 410  # used once


def test_it_sends_the_email_in_spanish_when_registered_in_spanish(client, town, terms):
    client.post("/i18n/setlang/", {"language": "es", "next": "/register/"})
    response = post(client, form_data(terms.pk))
    assert response.status_code == 302
    assert Registration.objects.order_by("-id").first().language == "es"
    run_tasks()
    assert "registro" in mail.outbox[0].subject.lower()


def test_it_saves_nothing_when_a_camera_is_invalid(client, town, terms):
    before = (Registration.objects.count(), Camera.objects.count(), ConsentRecord.objects.count())
    data = form_data(terms.pk, cameras=2)
    data["cameras-1-retention_days"] = "9999"
    response = post(client, data)
    assert response.status_code == 400
    assert "Enter at most 365 days." in response.content.decode()
    assert (Registration.objects.count(), Camera.objects.count(), ConsentRecord.objects.count()) == before


def test_it_refuses_an_address_outside_every_jurisdiction(client, town, terms):
    data = form_data(terms.pk, latitude="40.0", longitude="-80.0", street_address="1 Nowhere Rd")
    response = post(client, data)
    assert response.status_code == 400
    assert "outside the area served" in response.content.decode()


def test_it_asks_for_an_unknown_address_to_be_checked(client, town, terms):
    response = post(client, form_data(terms.pk, street_address="99999 Imaginary Blvd"))
    assert response.status_code == 400
    assert "The map location is not valid" in response.content.decode() or "find" in response.content.decode()
    assert not Registration.objects.filter(street_address="99999 Imaginary Blvd").exists()


def test_it_accepts_a_pin_moved_a_little(client, town, terms):
    from registrations.geocoding import geocode

    point = geocode(MAPLE_ADDRESS).point
    response = post(client, form_data(terms.pk, latitude=str(point.latitude + 0.0002), longitude=str(point.longitude)))
    assert response.status_code == 302
    registration = Registration.objects.order_by("-id").first()
    assert registration.location_corrected
    assert registration.latitude == pytest.approx(point.latitude + 0.0002)


def test_it_refuses_a_pin_dragged_far_from_the_address(client, town, terms):
    from registrations.geocoding import geocode

    point = geocode(MAPLE_ADDRESS).point
    response = post(client, form_data(terms.pk, latitude=str(point.latitude + 0.01), longitude=str(point.longitude)))
    assert response.status_code == 400
    assert "too far from the address" in response.content.decode()


def test_it_asks_for_the_serving_agencys_terms(client, town, terms):
    # An address in Cedar Grove, submitted with Maple Falls' terms: the owner must see and accept Cedar Grove's.
    from registrations.models import AddressPoint

    cedar_point = next(p for p in AddressPoint.objects.order_by("-longitude")[:50])
    response = post(client, form_data(terms.pk, street_address=cedar_point.address))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Cedar Grove Police Department" in page
    cedar_terms = town["cedar"].current_terms()
    assert f'name="terms_version" value="{cedar_terms.pk}"' in page
    assert (
        'name="consent" required id="id_consent" checked' not in page and 'checked required id="id_consent"' not in page
    )
    assert 'id="id_consent"' in page and 'name="consent"' in page
    response = post(client, form_data(cedar_terms.pk, street_address=cedar_point.address))
    assert response.status_code == 302
    assert Registration.objects.order_by("-id").first().agency == town["cedar"]


def test_a_double_submit_creates_one_registration(client, town, terms):
    data = form_data(terms.pk)
    first = post(client, data)
    second = post(client, data)
    assert first.status_code == second.status_code == 302
    assert Registration.objects.filter(street_address=MAPLE_ADDRESS, owner_phone__isnull=False).count() >= 1
    assert Registration.objects.filter(submission_nonce__isnull=False).count() == 1


def test_the_honeypot_answers_like_success_and_stores_nothing(client, town, terms):
    before = Registration.objects.count()
    response = post(client, form_data(terms.pk, website="http://spam.example"))
    assert response.status_code == 302
    assert Registration.objects.count() == before


def test_past_the_limit_the_form_comes_back_filled_in(client, town, terms, one_rate_window):
    # The whole registration-drive journey is in test_registration_drive.py.
    town["maple"].registrations_per_hour_per_network = 2
    town["maple"].save()
    for _ in range(2):
        assert post(client, form_data(terms.pk)).status_code == 302
    response = post(client, form_data(terms.pk, owner_name="Dana Whitfield"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "please send it again after" in page and 'value="Dana Whitfield"' in page


def test_it_explains_when_not_eligible(client, town, terms):
    before = Registration.objects.count()
    response = post(client, form_data(terms.pk, exterior="no"))
    assert response.status_code == 200
    assert "outside and keep video" in response.content.decode()
    assert Registration.objects.count() == before


def test_add_camera_without_javascript_posts_back_one_more_block(client, town, terms):
    data = form_data(terms.pk)
    data["add_camera"] = "1"
    response = post(client, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="cameras-1-retention_days"' in page
    assert (
        'value="2" id="id_cameras-TOTAL_FORMS"' in page
        or 'id="id_cameras-TOTAL_FORMS" value="2"' in page
        or 'TOTAL_FORMS" value="2"' in page
    )
    assert "error-summary" not in page


def test_missing_csrf_is_refused_with_a_clear_page(town, terms):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/register/", form_data(terms.pk))
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_methods_are_refused(client, town, method):
    response = getattr(client, method)("/register/")
    assert response.status_code == 405


def test_an_expired_or_forged_form_nonce_is_refused(client, town, terms):
    response = post(client, form_data(terms.pk, form_nonce="forged"))
    assert response.status_code == 400
    assert "This form has expired" in response.content.decode()


def test_error_summary_links_to_the_fields(client, town, terms):
    response = post(client, form_data(terms.pk, owner_name="", owner_phone="12"))
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#field-owner_name"' in page and 'href="#field-owner_phone"' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_owner_phone_error"' in page


def test_not_eligible_is_explained_before_other_errors(client, town):
    response = post(client, {"exterior": "no", "records": "yes"})
    assert response.status_code == 200
    assert "outside and keep video" in response.content.decode()
