"""The public transparency page: found from every public page, in Spanish too, areas named by streets."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from administration import selectors
from registrations.models import AddressPoint, Registration, Status

COORDINATES = re.compile(r"-?\d{1,3}\.\d{3,}, ?-?\d{1,3}\.\d{3,}")


@pytest.fixture
def public_cells(town, monkeypatch):
    cache.clear()
    monkeypatch.setattr(selectors, "PUBLIC_CELL_MINIMUM", 2)
    Registration.objects.update(status=Status.ACTIVE)
    return town


@pytest.mark.parametrize("path", ["/", "/register/", "/manage/", "/transparency/"])
def test_every_public_page_links_to_the_transparency_report(client, town, path):
    page = client.get(path).content.decode()
    assert 'href="/transparency/"' in page


def test_areas_are_named_by_their_streets_not_coordinates(client, public_cells):
    response = client.get("/transparency/")
    cells = response.context["cells"]
    assert cells, "the demo town should have public cells at a minimum of 2"
    page = response.content.decode()
    table = page[page.index("<table>") : page.index("</table>")]
    assert not COORDINATES.search(table)
    streets = {selectors.street_words(street) for street in AddressPoint.objects.values_list("street", flat=True)}
    names = [cell["name"] for cell in cells]
    assert len(set(names)) == len(names), "two areas must not read the same"
    for name in names:
        assert name.startswith("Around ")
        named = re.split(r", | and ", re.sub(r" \(\d+\)$", "", name.removeprefix("Around ")))
        assert set(named) <= streets
        assert name in table
        assert name == name.replace("ST ", "St ")  # people's spelling, not the county table's capitals


def test_street_words():
    assert selectors.street_words("1ST ST") == "1st St"
    assert selectors.street_words("N MAPLE AVE") == "N Maple Ave"
    assert selectors.street_words("  main   street ") == "Main Street"


def test_a_cell_is_named_by_the_streets_with_most_addresses_in_it(public_cells):
    cell = selectors.public_coverage_cells(None)[0]
    inside = AddressPoint.objects.filter(
        latitude__gte=cell["south"], latitude__lt=cell["north"], longitude__gte=cell["west"], longitude__lt=cell["east"]
    )
    counts: dict[str, int] = {}
    for street in inside.values_list("street", flat=True):
        counts[street] = counts.get(street, 0) + 1
    expected = sorted(counts, key=lambda street: (-counts[street], street))[:4]
    assert cell["streets"] == [selectors.street_words(street) for street in expected]


def test_a_re_imported_address_table_renames_the_areas(public_cells):
    cell = selectors.public_coverage_cells(None)[0]
    AddressPoint.objects.filter(
        latitude__gte=cell["south"], latitude__lt=cell["north"], longitude__gte=cell["west"], longitude__lt=cell["east"]
    ).update(street="Renamed Blvd")
    AddressPoint.objects.create(address="1 Nowhere Rd", normalized="1 nowhere rd", latitude=0, longitude=0)
    again = selectors.public_coverage_cells(None)[0]
    assert again["streets"] == ["Renamed Blvd"]


def test_the_transparency_page_is_in_spanish(client, public_cells):
    page = client.get("/transparency/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    for text in ["Informe de transparencia", "De un vistazo", "Cobertura", "Alrededor de ", "Registros nuevos por mes"]:
        assert text in page, text
    for english in ["At a glance", "Aggregate numbers only", "Download the"]:
        assert english not in page, english


def test_hostile_agency_values_are_refused_cleanly(client, town):
    for value in ["<script>", "x" * 5000, "\x00", "maple-falls' OR 1=1"]:
        assert client.get(reverse("transparency"), {"agency": value}).status_code == 404
