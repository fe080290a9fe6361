"""The committed model on the held-out functional tests (never trained on).

The thresholds are the levels measured with the committed model (see the model card); a model
that falls below them must not be committed.
"""

import json

import pytest

from rempart.detect.classifier.data import load_functional
from rempart.detect.classifier.model import default_classifier
from rempart.detect.classifier.training import functional_metrics


@pytest.fixture(scope="module")
def classifier():
    return default_classifier()


@pytest.fixture(scope="module")
def metrics(classifier):
    return functional_metrics(classifier)


def test_the_functional_set_is_not_in_the_training_data():
    from rempart.detect.classifier.data import load_inhouse
    from rempart.detect.classifier.normalize import normalize

    trained = {normalize(e.text) for e in load_inhouse()}
    assert not [c["text"] for c in load_functional() if normalize(str(c["text"])) in trained]


def test_it_recognises_threats_phrased_unlike_the_training_data(metrics):
    assert metrics["threat:threat"] >= 0.95


def test_it_keeps_non_abusive_messages_neutral(metrics):
    assert metrics["neutral_kept"] >= 0.95


def test_it_recognises_insults_despite_spelling_and_leetspeak(metrics):
    assert metrics["robustness:insult"] >= 0.94


@pytest.mark.parametrize("label", ["sexual", "doxxing", "self_harm_incitement"])
def test_it_recognises_the_rule_labels(metrics, label):
    assert metrics[f"rule:{label}"] == 1.0


@pytest.mark.parametrize("variant", ["je vais te tuer", "JE VAIS TE TUUUUER", "jvais te tuer",
                                     "je vais te tuer 🔪", "j3 v4is t3 tu3r", "je vé te tuer",
                                     "I'm going to kill you"])
def test_threat_variants_are_threats(classifier, variant):
    assert "threat" in classifier.predict([variant])[0].labels


def test_scores_are_probabilities_and_neutral_is_exclusive(classifier):
    for prediction in classifier.predict(["salut ça va", "sale pute", "va te pendre", ""]):
        assert all(0.0 <= s <= 1.0 for s in prediction.scores.values())
        assert prediction.labels == ["neutral"] or "neutral" not in prediction.labels
        json.dumps(prediction.as_dict())


def test_identity_hate_names_the_targeted_trait(classifier):
    prediction = classifier.predict(["sale pédé de merde, dégage"])[0]
    assert "identity_hate" in prediction.labels
    assert "sexual_orientation" in prediction.traits


def test_it_classifies_an_empty_batch(classifier):
    assert classifier.predict([]) == []
