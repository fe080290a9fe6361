import json

from typer.testing import CliRunner

from rempart.cli import app

runner = CliRunner()


def test_it_classifies_one_text():
    result = runner.invoke(app, ["classify", "va te pendre"])
    assert result.exit_code == 0
    assert "self_harm_incitement" in json.loads(result.stdout)["labels"]


def test_it_classifies_a_jsonl_file_and_keeps_the_other_fields(tmp_path):
    path = tmp_path / "messages.jsonl"
    path.write_text('{"id": 1, "text": "merci pour les devoirs"}\n\n'
                    '{"id": 2, "text": "je sais où tu habites"}\n', encoding="utf-8")
    result = runner.invoke(app, ["classify", "--file", str(path)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, 2]
    assert rows[0]["labels"] == ["neutral"] and "threat" in rows[1]["labels"]
    assert set(rows[1]["scores"]) >= {"threat", "neutral"}


def test_bad_input_exits_with_2_and_one_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok"}\n{"texte": "oups"}\n', encoding="utf-8")
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00")
    for args in (["classify"], ["classify", "x", "--file", str(bad)],
                 ["classify", "--file", str(bad)], ["classify", "--file", str(binary)],
                 ["classify", "--file", str(tmp_path / "missing.jsonl")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert len(result.stderr.strip().splitlines()) == 1


def test_evaluate_prints_the_metrics_table():
    result = runner.invoke(app, ["classifier", "evaluate"])
    assert result.exit_code == 0
    assert "macro-F1" in result.stdout and "threat:threat" in result.stdout


def test_the_worker_and_classify_commands_are_registered():
    result = runner.invoke(app, ["--help"])
    assert "classify" in result.stdout and "worker" in result.stdout
    assert runner.invoke(app, ["worker", "--help"]).exit_code == 0
