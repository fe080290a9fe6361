"""``rempart evidence text CODE [--item ID] [--json]``: what was read from a case's screenshots,
``rempart evidence kinds CODE [--item ID] [--json]``: what was read from its other evidence
(metadata with the location, archive members, chats, e-mails, pages), and ``rempart evidence
read CODE``: read them now (what the background job does)."""

from __future__ import annotations

import json

import typer


def text(code: str,
         item: str | None = typer.Option(None, "--item", help="One evidence item's id."),
         as_json: bool = typer.Option(False, "--json", help="JSON with word boxes.")) -> None:
    """The text read (OCR) from the case's images: language, confidence, conversation."""
    from rempart.cli import fail
    from rempart.cli.evidence import _case_id, _services
    from rempart.services import evidence_text
    from rempart.services.errors import CaseNotFound

    services = _services()
    case_id = _case_id(services, code)
    try:
        texts = evidence_text.texts_for_reporter(services, case_id, item)
    except CaseNotFound:
        fail(f"no evidence item {item} in case {code}")
    if as_json:
        typer.echo(json.dumps({"items": [t.as_dict(words=True) for t in texts],
                               "suggested_facts": evidence_text.suggested_facts(services,
                                                                                case_id)},
                              indent=2, ensure_ascii=False))
        return
    if not texts:
        typer.echo("no text read yet")
    for found in texts:
        result = found.result
        typer.echo(f"== {found.file_name} ({found.item_id}) {result.language}, "
                   f"confidence {result.confidence}")
        if result.conversation:
            for bubble in result.conversation:
                typer.echo(f"[{bubble.side:>6} {bubble.time or '--:--'}] {bubble.text}")
        else:
            typer.echo(result.text)


def kinds(code: str,
          item: str | None = typer.Option(None, "--item", help="One evidence item's id."),
          as_json: bool = typer.Option(False, "--json", help="Every document, as JSON.")
          ) -> None:
    """What was read from the case's evidence besides OCR (the operator sees the location)."""
    from rempart.cli import fail
    from rempart.cli.evidence import _case_id, _services
    from rempart.services import evidence_kinds
    from rempart.services.errors import CaseNotFound

    services = _services()
    case_id = _case_id(services, code)
    try:
        found = evidence_kinds.kinds_for_operator(services, case_id, item)
    except CaseNotFound:
        fail(f"no evidence item {item} in case {code}")
    if as_json:
        typer.echo(json.dumps({"items": [k.as_dict() for k in found]}, indent=2,
                              ensure_ascii=False))
        return
    if not found:
        typer.echo("nothing read yet")
    for entry in found:
        typer.echo(f"== {entry.file_name} ({entry.item_id}) {entry.media_type}"
                   + (f", preview {entry.preview_type}" if entry.preview_type else ""))
        for line in evidence_kinds.summary_lines(entry):
            typer.echo(f"  {line}")


def read(code: str) -> None:
    """Read the case's images not read yet (OCR), then classify the case again."""
    from rempart.cli.evidence import _case_id, _services
    from rempart.jobs.ocr import ocr_case_now

    services = _services()
    typer.echo(f"read {ocr_case_now(services, _case_id(services, code))} image(s)")


def register(app: typer.Typer) -> None:
    from rempart.cli.evidence import evidence_app

    evidence_app.command("text")(text)
    evidence_app.command("kinds")(kinds)
    evidence_app.command("read")(read)
