"""CLI: ``rempart classify`` and ``rempart classifier train|evaluate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

classifier_app = typer.Typer(help="Harassment text classifier (train, evaluate).",
                             no_args_is_help=True)
DEFAULT_SHARED = Path("../shared/data/text")
MAX_FILE_BYTES = 50 * 1024 * 1024


def register(app: typer.Typer) -> None:
    app.add_typer(classifier_app, name="classifier")
    app.command("classify")(classify)


def _fail(message: str) -> None:
    from rempart.cli import fail

    fail(message)


def classify(text: str | None = typer.Argument(None, help="The message to classify."),
             file: Path | None = typer.Option(None, "--file", help="JSON lines with a 'text'.")
             ) -> None:
    """Classify one message, or every line of a JSON-lines file (adds 'labels' and 'scores')."""
    if (text is None) == (file is None):
        _fail("give either a text or --file messages.jsonl")
    from rempart.detect.classifier.model import default_classifier

    classifier = default_classifier()
    if text is not None:
        prediction = classifier.predict([text])[0]
        typer.echo(json.dumps({"text": text, **prediction.as_dict()}, ensure_ascii=False))
        return
    assert file is not None
    rows = _read_jsonl(file)
    predictions = classifier.predict([str(row["text"]) for row in rows])
    for row, prediction in zip(rows, predictions, strict=True):
        typer.echo(json.dumps({**row, **prediction.as_dict()}, ensure_ascii=False))


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every line as an object with a string 'text'; exits with code 2 on the first bad line."""
    if not path.is_file():
        _fail(f"{path}: no such file")
    if path.stat().st_size > MAX_FILE_BYTES:
        _fail(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    rows = []
    with path.open(encoding="utf-8", errors="strict") as fh:
        try:
            lines = list(enumerate(fh, start=1))
        except UnicodeDecodeError:
            _fail(f"{path}: not UTF-8 text")
    for number, line in lines:
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            _fail(f"{path}:{number}: not valid JSON")
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            _fail(f"{path}:{number}: expected an object with a string 'text'")
        rows.append(row)
    return rows


def _shared_text_dir(shared: Path | None) -> Path:
    text_dir = shared / "data" / "text" if shared else DEFAULT_SHARED
    if not (text_dir / "cyberagressionado_large_fr.jsonl").is_file():
        _fail(f"{text_dir}: training data not found (give --shared PATH_TO_SHARED)")
    return text_dir


@classifier_app.command("train")
def train_command(shared: Path | None = typer.Option(None, help="The ../shared folder."),
                  output: Path | None = typer.Option(None, help="Model file to write."),
                  ) -> None:
    """Rebuild the committed model from ../shared (fixed folds and seeds: same metrics)."""
    from rempart.detect.classifier import model, training

    run = training.train(_shared_text_dir(shared), log=lambda line: typer.echo(line, err=True))
    model.save(run.classifier, output or model.MODEL_PATH)
    typer.echo(format_metrics(run.metrics))


@classifier_app.command("evaluate")
def evaluate_command(model_file: Path | None = typer.Option(None, "--model")) -> None:
    """Print the metrics table of the model (measured when it was trained) and re-run the
    held-out functional tests against it."""
    from rempart.detect.classifier import model, training

    classifier = model.load(model_file or model.MODEL_PATH)
    metrics = dict(classifier.metrics)
    metrics["functional"] = training.functional_metrics(classifier)
    metrics["held_out"] = training.held_out(classifier)
    metrics["version"] = classifier.version
    typer.echo(format_metrics(metrics))


def format_metrics(metrics: dict[str, Any]) -> str:
    lines = [f"model {metrics.get('version', '')}".rstrip(), "",
             "Held-out in-house sets (never trained on): model vs char TF-IDF baseline"]
    model, baseline = metrics.get("held_out", {}), metrics.get("held_out_baseline", {})
    for group, values in model.items():
        for key, value in values.items():
            base = baseline.get(group, {}).get(key)
            shown = f"{base:.3f}" if isinstance(base, float) else "-"
            lines.append(f"{group + ':' + key:<48} {value:.3f}   baseline {shown}")
    unseen = metrics.get("caa_unseen_topic", {})
    if unseen:
        lines.append("CyberAgressionAdo, each topic unseen in training: F1 aggressive/neutral "
                     f"{unseen['f1_aggressive_vs_neutral_unseen_topic']:.3f}")
    lines += ["", "CyberAgressionAdo, held-out scenarios (grouped 5-fold CV)",
             f"{'model':<12} {'macro-F1 (5 classes)':>22} {'F1 aggressive/neutral':>22}"]
    for name, values in metrics.get("caa_held_out_conversations", {}).items():
        lines.append(f"{name:<12} {values['macro_f1_5_classes']:>22.3f} "
                     f"{values['f1_aggressive_vs_neutral']:>22.3f}")
    lines += ["", "Per label: the logistic head alone, before rules (out-of-fold F1, threshold)"]
    for label, f1 in metrics.get("label_f1_out_of_fold", {}).items():
        threshold = metrics.get("thresholds", {}).get(label, 0.5)
        lines.append(f"{label:<22} F1 {f1:.3f}  threshold {threshold:.3f}")
    lines += ["", "Held-out functional tests (share of cases right)"]
    for key, value in metrics.get("functional", {}).items():
        lines.append(f"{key:<28} {value:.3f}")
    return "\n".join(lines)

