"""What a counsellor must see first: threats, conditional threats, sextortion, self-harm
incitement, grooming; and what must not trigger: negation, quotation, counter-speech.

These sentences are not in any training or evaluation file (checked below): they test the rules
and the model together, as a counsellor would try them.
"""

import pytest

from rempart.detect.classifier import evaluation
from rempart.detect.classifier.coercion import score_coercion, sextortion_score
from rempart.detect.classifier.context import predict_conversation
from rempart.detect.classifier.data import load_inhouse
from rempart.detect.classifier.labels import label_name
from rempart.detect.classifier.model import default_classifier
from rempart.detect.classifier.normalize import normalize

CASES_THREAT = [
    "je vais t'égorger comme un mouton",
    "toi et ta mère vous allez crever",
    "on va te retrouver à la sortie du collège",
    "il faudrait brûler tous les gitans",
    "les gays devraient être pendus",
    "ce prof mérite de mourir",
    "je sais où t'habites, fais attention",
    "tu verras pas la fin de l'année",
    "ils ont dit qu'ils allaient me frapper demain",
    "si je dis quelque chose elle me tabasse",
]
CASES_CONDITIONAL = [
    "si tu racontes ça à ta mère je te défonce",
    "donne-moi ton code ou je te frappe",
    "tu retires ce message sinon je viens chez toi",
]
CASES_SEXTORTION = [
    "envoie encore une vidéo sinon tes photos tournent au lycée",
    "si tu me quittes je poste tes nudes partout",
]
CASES_GROOMING = [
    "t'as quel âge ? tu peux m'envoyer une photo de toi ?",
    "ne dis rien à tes parents, ils doivent pas savoir qu'on se parle",
    "tu es très mature pour tes 12 ans",
]
CASES_SELF_HARM = ["va te jeter sous un train", "tu devrais te tuer, t'es inutile"]
CASES_NOT_TRIGGERING = [
    "je ne vais pas te taper, je te le promets",
    "personne ne devrait dire que les juifs sont des parasites",
    "il a écrit « les femmes sont des animaux », c'est répugnant",
    "ceux qui menacent les musulmans devraient être punis",
    "je ne déteste pas les Roms, au contraire",
    "je vais te massacrer au tennis samedi",
    "on se retrouve à la sortie pour réviser ?",
    "si tu veux je te montre les photos du match",
]


@pytest.fixture(scope="module")
def classifier():
    return default_classifier()


def _labels(classifier, text):
    return classifier.predict([text])[0].labels


def test_these_sentences_are_in_no_training_or_evaluation_file():
    known = {normalize(e.text) for e in load_inhouse()} | {normalize(t) for t in
                                                           evaluation.eval_texts()}
    everything = (CASES_THREAT + CASES_CONDITIONAL + CASES_SEXTORTION + CASES_GROOMING
                  + CASES_SELF_HARM + CASES_NOT_TRIGGERING)
    assert not [t for t in everything if normalize(t) in known]


@pytest.mark.parametrize("text", CASES_THREAT + CASES_CONDITIONAL)
def test_threats_to_life_and_body_and_conditional_threats_are_threats(classifier, text):
    assert "threat" in _labels(classifier, text)


@pytest.mark.parametrize("text", CASES_SEXTORTION)
def test_blackmail_with_pictures_is_a_threat_and_sextortion(classifier, text):
    labels = _labels(classifier, text)
    assert "threat" in labels and "sextortion" in labels


@pytest.mark.parametrize("text", CASES_GROOMING)
def test_grooming_signals_are_flagged(classifier, text):
    assert "grooming" in _labels(classifier, text)


@pytest.mark.parametrize("text", CASES_SELF_HARM)
def test_incitement_to_self_harm_is_flagged(classifier, text):
    assert "self_harm_incitement" in _labels(classifier, text)


@pytest.mark.parametrize("text", CASES_NOT_TRIGGERING)
def test_negation_quotation_counter_speech_and_banter_do_not_trigger(classifier, text):
    labels = _labels(classifier, text)
    assert not {"threat", "identity_hate", "sextortion", "grooming"} & set(labels)


def test_an_ugly_insult_is_not_hate_speech(classifier):
    labels = _labels(classifier, "t'es trop moche")
    assert "identity_hate" not in labels and labels != ["neutral"]


def test_a_victim_quoting_a_threat_made_to_them_keeps_the_threat(classifier):
    assert "threat" in _labels(classifier, "il m'a écrit « je vais te tuer », j'ai peur")


def test_an_offer_to_share_pictures_is_not_sextortion():
    assert sextortion_score(normalize("si tu veux je poste les photos de la soirée")) == 0.0
    assert sextortion_score(normalize("sinon je poste tes photos")) > 0.5


def test_a_negated_rule_match_gives_no_threat():
    assert score_coercion(normalize("personne ne va te frapper ici")).threat == 0.0


def test_labels_come_with_their_name_and_a_reason_in_the_readers_language(classifier):
    prediction = classifier.predict(["fais ce que je dis ou je publie tes photos"])[0]
    french = {e["label"]: e for e in prediction.explain("fr")}
    english = {e["label"]: e for e in prediction.explain("en")}
    assert french["sextortion"]["name"].startswith("chantage")
    assert english["sextortion"]["name"].startswith("sextortion")
    assert "condition" in french["threat"]["reason"] or "images" in french["threat"]["reason"]
    assert label_name("threat", "en") == "threat" and label_name("threat") == "menace"


def test_blackmail_over_two_messages_is_found_in_the_conversation(classifier):
    messages = ["envoie-moi une photo de toi", "sinon je dis à tout le monde ce que t'as fait"]
    alone = classifier.predict(messages)
    together = predict_conversation(classifier, messages)
    assert "sextortion" not in alone[1].labels
    assert "sextortion" in together[1].labels


def test_an_approval_joins_the_aggression_it_approves(classifier):
    messages = ["t'es qu'une grosse merde", "grave", "on se voit demain ?"]
    labelled = predict_conversation(classifier, messages)
    assert labelled[1].labels != ["neutral"]
    assert labelled[1].reasons.get(labelled[1].labels[0]) == "approval"
    assert labelled[2].labels == ["neutral"]


def test_the_model_says_which_version_labelled(classifier):
    described = classifier.describe()
    assert described["version"].startswith("classifier-")
    assert len(described["training_data_sha256"]) == 64
