import numpy as np
import pytest

from rempart.detect.classifier import model as model_module
from rempart.detect.classifier.training import best_threshold, train

pytestmark = pytest.mark.slow


def _small_run(shared_dir):
    return train(shared_dir / "data" / "text", log=lambda _line: None, max_per_source=80)


def test_two_trainings_on_the_same_data_give_identical_predictions(shared_dir, tmp_path):
    first, second = _small_run(shared_dir), _small_run(shared_dir)
    assert first.metrics == second.metrics
    texts = ["je vais te retrouver", "salut ça va", "t'es un bouffon", "sale arabe"]
    path = tmp_path / "model.joblib"
    model_module.save(first.classifier, path)
    reloaded = model_module.load(path)
    for a, b, c in zip(first.classifier.predict(texts), second.classifier.predict(texts),
                       reloaded.predict(texts), strict=True):
        assert a.scores == b.scores == c.scores


def test_it_refuses_a_model_file_of_another_format(tmp_path):
    import joblib

    path = tmp_path / "other.joblib"
    joblib.dump({"format": 999}, path)
    with pytest.raises(ValueError, match="unsupported"):
        model_module.load(path)


def test_the_threshold_maximises_f1_within_bounds():
    y = np.array([0, 0, 0, 1, 1])
    assert best_threshold(y, np.array([0.1, 0.2, 0.3, 0.6, 0.7])) == pytest.approx(0.6)
    assert best_threshold(np.array([0, 0]), np.array([0.1, 0.2])) == 0.5
    assert 0.2 <= best_threshold(y, np.array([0.01, 0.02, 0.03, 0.05, 0.06])) <= 0.9
