"""The coverage maps on the dashboard and the transparency page draw every cell, with a legend, without errors."""

from __future__ import annotations

import pytest

from administration import selectors
from agencies.models import Agency
from demo.town import build_town
from tests.browser.helpers import collect_errors, sign_in_staff
from tests.staff_fixtures import make_staff

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_town(transactional_db, live_server, monkeypatch):
    build_town(registrations=40, seed=7)
    # 40 homes never put 5 in one public cell; show cells of 2 or more so the public map has something to draw.
    monkeypatch.setattr(selectors, "PUBLIC_CELL_MINIMUM", 2)
    return live_server.url


def _assert_map_draws(page, expected_cells: int, tooltip: str) -> None:
    assert expected_cells > 0
    page.locator("#coverage-map path.coverage-cell").first.wait_for()
    assert page.locator("#coverage-map path.coverage-cell").count() == expected_cells
    legend = page.locator("#coverage-map-legend")
    assert legend.is_visible()
    assert legend.locator("li").count() >= 1
    page.locator("#coverage-map path.coverage-cell").first.hover(force=True)
    assert page.locator(".leaflet-tooltip").inner_text().endswith(tooltip)


def test_the_dashboard_map_draws_every_cell(demo_town, page):
    maple = Agency.objects.get(slug="maple-falls")
    errors = collect_errors(page)
    sign_in_staff(page, demo_town, make_staff(maple, "administrator"))
    page.goto(f"{demo_town}/staff/admin/dashboard/")
    cells = selectors.grid_cells(selectors.coverage_points(maple), 250)
    _assert_map_draws(page, len(cells), "active registrations")
    assert "Active registrations per cell" in page.locator("#coverage-map-legend").inner_text()
    assert errors == []


def test_the_transparency_map_draws_every_public_cell(demo_town, page):
    errors = collect_errors(page)
    page.goto(f"{demo_town}/transparency/")
    cells = selectors.public_coverage_cells(None)
    _assert_map_draws(page, len(cells), "registrations")
    # Areas are named by their streets, on the map and in the table.
    assert page.locator(".leaflet-tooltip").inner_text().startswith("Around ")
    assert page.locator("table td").first.inner_text().startswith("Around ")
    # The legend's ranges cover exactly the counts shown.
    counts = [cell["count"] for cell in cells]
    legend = page.locator("#coverage-map-legend li").all_inner_texts()
    assert legend[0].startswith(str(min(counts))) and legend[-1].endswith(str(max(counts)))
    assert errors == []


def test_an_empty_transparency_map_has_no_legend_and_no_error(transactional_db, live_server, page):
    build_town(registrations=5, seed=7)
    errors = collect_errors(page)
    page.goto(f"{live_server.url}/transparency/")
    page.locator("#coverage-map.leaflet-container").wait_for()
    assert page.locator("#coverage-map path.coverage-cell").count() == 0
    assert page.locator("#coverage-map-legend").count() == 0
    assert errors == []
