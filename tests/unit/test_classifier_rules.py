import pytest

from rempart.detect.classifier.labels import offences_for
from rempart.detect.classifier.model import rules_only
from rempart.detect.classifier.rules import personal_data


@pytest.mark.parametrize("text", [
    "son numéro c'est le 06 12 34 56 78, appelez-la tous",
    "elle habite au 12 rue des Lilas 69003 Lyon, allez-y",
    "voici son mail : lea.martin@gmail.com spammez la",
    "il est au collège Jean Moulin, on l'attend à la sortie",
    "son tel +33 6 98 76 54 32 faites tourner",
])
def test_it_flags_exposed_personal_data_as_doxxing(text):
    assert rules_only(text).doxxing >= 0.9


def test_it_does_not_call_sharing_ones_own_number_doxxing():
    assert rules_only("appelle moi au 06 12 34 56 78 ce soir").doxxing < 0.5


def test_it_finds_each_kind_of_personal_data():
    text = "06 12 34 56 78, a@b.fr, 3 rue Victor Hugo 75001 Paris, lycée Lamartine"
    from rempart.detect.classifier.normalize import normalize

    assert personal_data(text, normalize(text)) == ["phone", "email", "address", "postcode",
                                                    "school"]


@pytest.mark.parametrize("text", [
    "va te tuer", "tu devrais en finir", "Va te pendre", "tue-toi", "t'as qu'à te suicider",
    "personne ne te regretterait", "le monde serait mieux sans toi", "kys", "go kill yourself",
])
def test_it_flags_incitement_to_self_harm(text):
    assert rules_only(text).self_harm_incitement >= 0.9


@pytest.mark.parametrize("text", [
    "envoie moi des nudes", "montre moi tes seins", "si tu paies pas je publie tes photos",
    "j'ai tes vidéos, obéis sinon tout le monde les verra", "send nudes",
])
def test_it_flags_sexual_requests_and_sextortion(text):
    assert rules_only(text).sexual >= 0.85


def test_sextortion_is_also_a_threat():
    assert rules_only("je vais publier tes photos si tu me bloques").threat >= 0.9


@pytest.mark.parametrize("text", [
    "il m'a traité de connard", "arrêtez de la traiter de grosse", "on ne dit pas pédé",
    "je signale ce compte", "she called me ugly",
])
def test_it_recognises_reported_speech(text):
    assert rules_only(text).reported_speech


def test_it_maps_labels_to_code_penal_articles():
    assert offences_for({"threat"}) == ["222-17", "222-18"]
    assert "223-13" in offences_for({"self_harm_incitement"})
    assert offences_for({"neutral"}) == []


@pytest.mark.parametrize("text", ["les arabes dehors", "retourne dans ton pays",
                                  "t'es qu'un autiste", "sale juif", "espèce de tarlouze"])
def test_it_flags_slurs_and_hostility_against_a_group(text):
    assert rules_only(text).identity_hate >= 0.8


@pytest.mark.parametrize("text", ["je vais te tuer à fifa", "ça me tue ce prof",
                                  "je suis mort de rire", "je vais te défoncer au ping-pong"])
def test_it_recognises_games_and_idioms(text):
    assert rules_only(text).banter


def test_tu_vas_voir_is_a_threat_only_when_it_ends_the_warning():
    assert rules_only("tu vas voir !").threat >= 0.9
    assert rules_only("tu vas voir ce qui va t'arriver").threat >= 0.9
    assert rules_only("tu vas voir ta mère ce week-end ?").threat == 0.0


def test_the_rules_rarely_fire_on_non_aggressive_chat(shared_dir):
    import json

    path = shared_dir / "data" / "text" / "cyberagressionado_large_fr.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    neutral = [r["text"] for r in rows if r["hate"] == "NAG"]
    fired = [t for t in neutral if max(rules_only(t).threat, rules_only(t).sexual,
                                       rules_only(t).self_harm_incitement,
                                       rules_only(t).identity_hate) >= 0.5]
    assert len(fired) / len(neutral) < 0.02
