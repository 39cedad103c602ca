"""An API page of search results reads the details of its own addresses only, and is exactly that page of the
results page's grouping: the same ranks, cameras, verdicts, words and notes, partners' registrations included.
An address the searcher may not see never enters a page, whichever way its id arrives."""

from __future__ import annotations

import pytest

from accounts.services import sharing_revoke
from api import canvass_views
from audit.models import AuditEntry
from canvass import grouping
from canvass import services as canvass_services
from canvass.models import CanvassSearch, CaseCamera
from registrations.models import Camera, Registration, Status
from tests.api.helpers import api_client, make_token, post_json, search_body
from tests.canvass.helpers import busy_registration
from tests.footage.helpers import share
from tests.staff_fixtures import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded(town):
    """Maple's incident with Cedar's registrations shared and moved next to it, a note, a chosen camera."""
    maple, cedar = town["maple"], town["cedar"]
    place = busy_registration(maple)
    Registration.objects.filter(pk=place.pk).update(notes_for_detectives="Gate code 4411; DVR in the garage.")
    agreement = share(cedar, maple)
    Registration.objects.filter(agency=cedar).update(latitude=place.latitude, longitude=place.longitude + 0.001)
    return {"maple": maple, "cedar": cedar, "place": place, "agreement": agreement}


def _run(crowded, radius_m=1500):
    _token, secret = make_token(crowded["maple"], ["canvass:search", "cases:write"])
    response = post_json(
        api_client(secret), "/api/v1/searches/", search_body(crowded["maple"], crowded["place"], radius_m=radius_m)
    )
    assert response.status_code == 201, response.content[:400]
    return secret, CanvassSearch.objects.get(pk=response.json()["id"])


def _investigator(agency):
    """A Maple investigator whose session passed MFA (as the middleware marks it): may search."""
    user = make_staff(agency, "investigator")
    user.is_verified = lambda: True
    return user


def _words(rows):
    return [
        (
            row.rank,
            row.registration_id,
            row.address,
            row.notes,
            [
                (c.item.camera.camera_id, c.verdict, c.title, c.facing, c.kept, c.chosen, c.item.reasons)
                for c in row.cameras
            ],
        )
        for row in rows
    ]


def test_every_api_page_is_that_page_of_the_results_pages_grouping(crowded, monkeypatch):
    secret, search = _run(crowded)
    case = search.case
    chosen = Camera.objects.filter(registration__agency=crowded["cedar"]).order_by("pk").first()
    CaseCamera.objects.create(case=case, camera=chosen, chosen_by=make_staff(crowded["maple"], "investigator"))
    monkeypatch.setattr(canvass_views, "PAGE_SIZE", 7)
    user = _investigator(crowded["maple"])
    whole = canvass_services.canvass_search_results(user=user, search=search)
    canvass_views.exports.in_units(whole, case.agency.length_units)
    everything = grouping.group_by_address(whole, {chosen.pk})
    assert len(everything) > 14, "the scene has more than two pages"
    pages = -(-len(everything) // 7)
    for page in range(1, pages + 1):
        result = canvass_services.canvass_search_results(user=user, search=search)
        shown, total = canvass_views.addresses_page(result, case, page)
        assert total == len(everything)
        expected = everything[(page - 1) * 7 : page * 7]
        notes = canvass_views.canvass_selectors.detective_notes(user, [row.registration_id for row in expected])
        grouping.with_notes(expected, notes)
        grouping.with_notes(shown, notes)
        assert _words(shown) == _words(expected)
    assert any(c.chosen for row in everything for c in row.cameras)
    # Through HTTP too: the pages cover every address once, in rank order, and a page past the last is a 404.
    client = api_client(secret)
    ranks = [
        row["rank"]
        for page in range(1, pages + 1)
        for row in client.get(f"/api/v1/searches/{search.pk}/?page={page}").json()["results"]
    ]
    assert ranks == list(range(1, len(everything) + 1))
    assert client.get(f"/api/v1/searches/{search.pk}/?page={pages + 1}").status_code == 404


def test_a_page_never_holds_a_registration_the_searcher_may_not_see(crowded):
    _secret, search = _run(crowded)
    user = _investigator(crowded["maple"])
    cedar_ids = list(Registration.objects.filter(agency=crowded["cedar"]).values_list("pk", flat=True))
    result = canvass_services.canvass_search_results(user=user, search=search)
    assert {detail.agency_id for detail in result.details_of(cedar_ids).values()} == {crowded["cedar"].pk}
    # Cedar revokes the agreement: its registrations are gone from the details, even when asked for by id.

    sharing_revoke(actor=make_staff(crowded["cedar"], "administrator"), agreement=crowded["agreement"])
    result = canvass_services.canvass_search_results(user=user, search=search)
    assert result.details_of(cedar_ids) == {}
    assert not {item.camera.registration_id for item in result.ranked} & set(cedar_ids)
    # A registration of Maple's own that its owner paused (not to be contacted for now) is not searchable: asked
    # for by id, it has no details either.
    own = crowded["place"]
    Registration.objects.filter(pk=own.pk).update(status=Status.PAUSED)
    assert canvass_services.canvass_search_results(user=user, search=search).details_of([own.pk]) == {}


def test_one_agency_searched_reads_only_the_pages_details_and_partners_are_still_audited(crowded):

    _secret, search = _run(crowded)
    partner_uses = AuditEntry.objects.filter(action="sharing.use", data_agency=crowded["cedar"])
    assert partner_uses.filter(object_id=str(search.pk)).exists(), "Cedar's auditors see Maple's search"

    sharing_revoke(actor=make_staff(crowded["cedar"], "administrator"), agreement=crowded["agreement"])
    result = canvass_services.canvass_search_results(user=_investigator(crowded["maple"]), search=search)
    assert result.agency_ids() == {crowded["maple"].pk}
    shown, _total = canvass_views.addresses_page(result, search.case, 1)
    assert shown and result.details._loaded is None, "a page reads its own addresses' details, not the area's"
    empty = canvass_services.SearchResult(search=search, area=result.area, ranked=[], details=result.details)
    assert empty.agency_ids() == set()


def test_the_answer_is_worded_after_the_search_and_its_audit_are_committed(crowded, monkeypatch):
    """Building a page takes milliseconds; the audit chain's lock (and SQLite's one writer) is not held for it."""
    import datetime as dt

    from django.db import connection

    from api import incident_views
    from tests.canvass.helpers import offense

    baseline = len(connection.atomic_blocks)  # the test's own transaction
    depths = []

    def spy(real):
        def answer(*args, **kwargs):
            depths.append(len(connection.atomic_blocks))
            return real(*args, **kwargs)

        return answer

    monkeypatch.setattr(canvass_views, "search_answer", spy(canvass_views.search_answer))
    monkeypatch.setattr(incident_views, "search_answer", spy(incident_views.search_answer))
    _secret, search = _run(crowded)
    _token, secret = make_token(crowded["maple"], ["canvass:search", "cases:write"])
    place = crowded["place"]
    incident = {
        "case_number": "2026-CAD-0042",
        "offense_type": offense(crowded["maple"]).name,
        "place": {"latitude": place.latitude, "longitude": place.longitude},
        "occurred_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).isoformat(),
    }
    response = post_json(api_client(secret), "/api/v1/incidents/", incident)
    assert response.status_code == 201, response.content[:300]
    assert depths == [baseline, baseline]
    # The token's audit entry counts the addresses the answer lists.
    entry = AuditEntry.objects.filter(action="api.incidents.create").latest("sequence")
    assert entry.parameters["result_count"] == response.json()["total"] > 0
    entry = AuditEntry.objects.filter(action="api.searches.create", object_id=str(search.pk)).get()
    assert entry.parameters["result_count"] == canvass_views.address_count(
        canvass_services.canvass_search_results(user=_investigator(crowded["maple"]), search=search)
    )
