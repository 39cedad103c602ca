"""Everything the resident told the department reaches the detective.

One owner registers through the real public form with answers no other registration has (Spanish,
accents, long notes on several lines, a brand per camera, what each camera sees, how long it keeps video,
how it exports). An investigator then opens every view of the canvass and of the registration: each of
those answers must be on each of them.
"""

from __future__ import annotations

import csv
import html
import io

import pytest
from django.urls import reverse

from canvass.models import CanvassSearch
from registrations.models import Registration
from tests.canvass.helpers import form_data as search_form_data
from tests.registrations.helpers import camera_fields, post
from tests.registrations.helpers import form_data as registration_form_data
from tests.staff_fixtures import make_staff, staff_client

pytestmark = pytest.mark.django_db

NOTES = (
    "Grabadora en el sótano, detrás de la caldera; pregunte por Begoña Núñez después de las 18:00.\n"
    "El perro se llama Ñandú y no muerde. La cámara del porche graba la acera, la calle Roosevelt y "
    "la parada del autobús hasta la esquina con la avenida Maple; la del callejón solo de noche, con "
    "infrarrojos. Llame antes de venir: trabajo por turnos en el hospital y duermo por la mañana."
)
PORCH = {
    "locations": ["front", "entrance"],
    "description": "La calzada frente al 10300 de Roosevelt, con la acera y la parada",
    "brand": "Hikvisión DS-7608 Año 2021",
    "retention_days": "23",
    "exports_common_format": "yes",
}
ALLEY = {
    "locations": ["alley"],
    "description": "Callejón trasero y el garaje de Iñaki",
    "brand": "Reolink Argus Ñ",
    "retention_days": "47",
    "exports_common_format": "no",
}
EXPORT_ANSWERS = {
    "yes": "Yes: exports ordinary video files (MP4, plays in Windows Media Player)",
    "no": "No: cannot export ordinary video files",
}
VIEWS = ("results", "sheet", "contact", "staff registration page", "csv")


def expected_answers() -> list[str]:
    answers = [*NOTES.splitlines()]
    for camera in (PORCH, ALLEY):
        answers += [
            camera["description"],
            camera["brand"],
            f"{camera['retention_days']} days",
            EXPORT_ANSWERS[camera["exports_common_format"]],
        ]
    return answers


@pytest.fixture
def registered(client, town):
    data = registration_form_data(town["maple"].current_terms().pk, cameras=2, notes_for_detectives=NOTES)
    for index, answers in enumerate((PORCH, ALLEY)):
        data.update(camera_fields(index, **answers))
    response = post(client, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Registration.objects.get(notes_for_detectives=NOTES)


@pytest.fixture
def views(client, town, registered) -> dict[str, object]:
    """The text of each investigator view that shows the registration; "csv row" is its row of the export."""
    investigator = staff_client(client, make_staff(town["maple"], "investigator"))
    response = investigator.post("/staff/canvass/", search_form_data(town["maple"], registered, radius_m="60"))
    assert response.status_code == 302, response.content.decode()[:2000]
    search = CanvassSearch.objects.get()
    pages = {
        "results": investigator.get(reverse("canvass:results", args=[search.pk])),
        "sheet": investigator.get(reverse("canvass:sheet", args=[search.pk]), {"addresses": "200"}),
        "contact": investigator.post(reverse("canvass:contact", args=[search.pk, registered.public_id])),
        "staff registration page": investigator.get(f"/staff/registrations/{registered.public_id}/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
    texts: dict[str, object] = {name: html.unescape(response.content.decode()) for name, response in pages.items()}
    export = investigator.get(reverse("canvass:export_csv", args=[search.pk]))
    rows = [
        row
        for row in csv.DictReader(io.StringIO(export.content.decode()))
        if row["registration"] == str(registered.public_id)
    ]
    assert len(rows) == 1  # one row for the address, both cameras in it
    texts["csv"] = " ".join(rows[0].values())
    texts["csv row"] = rows[0]
    return texts


@pytest.mark.parametrize("view", VIEWS)
def test_every_answer_reaches_the_view(views, view):
    missing = [answer for answer in expected_answers() if answer not in views[view]]
    assert missing == [], f"{view} lacks {missing}"


def test_the_csv_gives_each_answer_its_own_column(views):
    row = views["csv row"]
    assert row["notes_for_detectives"] == NOTES
    assert row["brand"] == f"{PORCH['brand']}, {ALLEY['brand']}"
    assert row["camera_count"] == "2"
    assert row["export_format"] == f"{EXPORT_ANSWERS['yes']}; {EXPORT_ANSWERS['no']}"
    assert "keeps video 23 days" in row["cameras"] and "keeps video 47 days" in row["cameras"]
    assert "Entrance, Front — " + PORCH["description"] in row["cameras"]


def test_the_sheet_names_each_camera_by_where_it_is_and_what_it_sees(views):
    assert "Entrance, Front — " + PORCH["description"] in views["sheet"]
    assert "Alley — " + ALLEY["description"] in views["sheet"]
    assert "Camera " not in views["sheet"].split('<ol class="stops">', 1)[1]


def test_the_case_and_request_pages_name_chosen_cameras_in_words_not_codes(client, town, registered):
    """A camera the owner described and one they did not: "Entrance, Front — …" and "Alley, Entrance", never the
    stored codes ("alley, entrance") the model's str() used to join."""
    bare = registered.cameras.get(description=ALLEY["description"])
    bare.description = ""
    bare.locations = ["alley", "entrance"]
    bare.save(update_fields=["description", "locations"])
    investigator = staff_client(client, make_staff(town["maple"], "investigator"))
    investigator.post("/staff/canvass/", search_form_data(town["maple"], registered, radius_m="60"))
    search = CanvassSearch.objects.get()
    for camera in registered.cameras.all():
        response = investigator.post(
            reverse("canvass:case_camera_add", args=[search.case.pk]), {"camera_id": camera.pk, "search_id": search.pk}
        )
        assert response.status_code == 302
    page = html.unescape(investigator.get(reverse("canvass:case", args=[search.case.pk])).content.decode())
    chosen = page.split("Cameras chosen", 1)[1]
    assert "Entrance, Front — " + PORCH["description"] in chosen
    assert "Alley, Entrance" in chosen
    assert "alley, entrance" not in page and "front, entrance" not in page
    requests = html.unescape(investigator.get(reverse("footage:case_requests", args=[search.case.pk])).content.decode())
    assert "Entrance, Front — " + PORCH["description"] in requests and "Alley, Entrance" in requests
    assert "alley, entrance" not in requests
