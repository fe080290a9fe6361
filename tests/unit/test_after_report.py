"""What to do right after a report: most urgent first, fitted to the report and its reader."""

from __future__ import annotations

from rempart.domain.after_report import next_steps, register
from rempart.domain.facts import ReportFacts


def test_suicidal_thoughts_come_before_anything_else():
    steps = next_steps(["threats", "intimate_images"], "victim",
                       ReportFacts(suicide_or_attempt=True, death_threat=True))
    assert steps[:3] == ("suicide", "emergency", "stop_images")


def test_a_threat_to_life_puts_17_and_112_first():
    assert next_steps(["insults"], "victim", ReportFacts(death_threat=True))[0] == "emergency"
    assert next_steps(["threats"], "victim")[0] == "emergency"  # not known to be harmless
    assert "emergency" not in next_steps(["threats"], "victim", ReportFacts(death_threat=False))


def test_intimate_images_real_or_fake_lead_to_stop_images():
    assert "stop_images" in next_steps(["intimate_images"], "victim")
    assert "stop_images" in next_steps(["insults"], "victim", ReportFacts(deepfake=True))
    assert "stop_images" not in next_steps(["insults"], "victim")


def test_pharos_only_for_what_may_be_public():
    assert "pharos" in next_steps(["insults"], "victim")  # public unknown: worth saying
    assert "pharos" in next_steps(["other"], "victim", ReportFacts(public=True))
    assert "pharos" not in next_steps(["insults"], "victim", ReportFacts(public=False))
    assert "pharos" not in next_steps(["identity_theft"], "victim")


def test_3018_and_the_evidence_always_and_support_for_witnesses_and_parents():
    for role in ("victim", "witness", "adult"):
        steps = next_steps(["other"], role)
        assert "3018" in steps and steps[-1] == "evidence"
        assert ("support" in steps) == (role != "victim")


def test_tu_for_the_victim_vous_for_everyone_else():
    assert register("victim") == "tu"
    assert register("witness") == register("adult") == register("") == "vous"
