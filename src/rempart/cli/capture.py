"""``rempart capture CODE URL [--json]``: capture a web page into a case (issue 14.3): the WARC
of the exchanges and a PNG of the page become evidence items, with a "capture" document."""

from __future__ import annotations

import json

import typer


def capture(code: str, url: str,
            as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Fetch a public page (http/https) and keep it in the case as WARC + PNG."""
    from rempart.cli import fail
    from rempart.cli.evidence import _case_id, _services
    from rempart.services import capture as capture_service

    services = _services()
    case_id = _case_id(services, code)
    try:
        result = capture_service.capture_page(services, case_id, url, capture_service.OPERATOR)
    except capture_service.CaptureFailed as refused:
        fail(f"capture refused ({refused.reason}): {refused}")
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return
    typer.echo(f"captured {result.final_url} (HTTP {result.status}) at "
               f"{result.as_dict()['fetched_at']}")
    typer.echo(f"WARC item {result.warc_item_id}")
    if result.png_item_id:
        typer.echo(f"PNG item {result.png_item_id}")
    else:
        typer.echo(f"no PNG: {result.render_refused}")


def register(app: typer.Typer) -> None:
    app.command("capture")(capture)
