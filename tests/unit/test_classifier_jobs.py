import pytest
from sqlalchemy import select

from rempart.config import Settings
from rempart.jobs import classify as jobs
from rempart.jobs.queue import make_huey
from rempart.store.classifier_tables import MessageClassification


def test_it_stores_labels_per_message_and_gives_the_case_labels(sessions):
    messages = [("report", "il m'envoie des messages tous les soirs"),
                ("message:1", "je vais te retrouver et te casser la gueule"),
                ("message:2", "son numéro c'est le 06 12 34 56 78, appelez-la tous")]
    with sessions.begin() as session:
        assert jobs.classify_messages(session, "42", messages) == 3
    with sessions() as session:
        assert {"threat", "doxxing"} <= jobs.labels_for_case(session, 42)
        assert "neutral" not in jobs.labels_for_case(session, "42")
        assert jobs.labels_for_case(session, "other") == set()
        stored = jobs.classifications_for_case(session, "42")
    assert "threat" in stored["message:1"]["labels"]


def test_it_never_stores_the_message_text(sessions):
    with sessions.begin() as session:
        jobs.classify_messages(session, "7", [("report", "texte secret du signalement")])
    with sessions() as session:
        row = session.scalars(select(MessageClassification)).one()
    assert "secret" not in f"{row.labels}{row.traits}{row.scores_json}{row.message_ref}"


def test_reclassifying_replaces_and_keeps_other_cases(sessions):
    with sessions.begin() as session:
        jobs.classify_messages(session, "1", [("report", "va te pendre")])
        jobs.classify_messages(session, "2", [("report", "sale pute")])
    with sessions.begin() as session:
        jobs.classify_messages(session, "1", [("report", "merci pour ton aide")])
    with sessions() as session:
        assert jobs.labels_for_case(session, "1") == set()
        assert "insult" in jobs.labels_for_case(session, "2")
        assert session.scalar(select(MessageClassification.id).where(
            MessageClassification.case_id == "1")) is not None


def test_the_queue_follows_the_settings(tmp_path):
    from huey import RedisHuey, SqliteHuey

    assert isinstance(make_huey(Settings(data_dir=tmp_path)), SqliteHuey)
    assert (tmp_path / "jobs.sqlite3").exists()
    redis = make_huey(Settings(data_dir=tmp_path, jobs_backend="redis"))
    assert isinstance(redis, RedisHuey)
    with pytest.raises(ValueError):
        make_huey(Settings(data_dir=tmp_path, jobs_backend="carrier-pigeon"))


def test_each_label_records_the_model_version_that_gave_it(sessions):
    from rempart.detect.classifier.model import default_classifier

    with sessions.begin() as session:
        jobs.classify_messages(session, "7", [("report", "t'es mort demain")])
    with sessions() as session:
        versions = set(session.scalars(select(MessageClassification.model_version)))
    assert versions == {default_classifier().version}


def test_messages_read_from_one_screenshot_are_classified_as_a_conversation(sessions):
    messages = [("ocr:item1:0", "envoie-moi une photo de toi"),
                ("ocr:item1:1", "sinon je dis à tout le monde ce que t'as fait")]
    with sessions.begin() as session:
        jobs.classify_messages(session, "8", messages)
    with sessions() as session:
        assert "sextortion" in jobs.labels_for_case(session, "8")
