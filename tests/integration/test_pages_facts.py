"""The facts of a report on the staff case page (the reporter's side is in test_pages_portal)."""

from __future__ import annotations

import re

from rempart.domain.staff import StaffRole
from tests.integration.pages_support import add_staff, file_report, staff_login


def test_staff_see_what_a_parent_said_and_the_contradictions(client):
    file_report(client, reporter_role="adult", description="Elle est majeure, ça dure depuis "
                "deux semaines", victim_age="15", school="yes", death_threat="no",
                started_on="2026-11-20", last_on="2026-11-02")
    staff_login(client, "ana@example.org", add_staff(client, "ana@example.org",
                                                     StaffRole.COUNSELOR))
    queue = client.get("/staff").text
    url = re.search(r'href="(/staff/cases/[0-9a-f-]{36})"', queue).group(1)
    page = client.get(url).text
    assert "Ce que la personne a déclaré" in page
    assert "Quel âge a la personne harcelée ?" in page and "<dd>15</dd>" in page
    assert "l’établissement scolaire de la personne harcelée" in page
    assert "La dernière fois est avant la date de début" in page
    assert "L’âge est de moins de 18 ans, mais le texte dit majeur" in page
