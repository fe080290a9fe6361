"""``rempart cases related CODE [--json]``: the cases linked to one case (same author account,
link, file or a near copy of an image), as the back-office shows them."""

from __future__ import annotations

import json

import typer

cases_app = typer.Typer(help="Look at cases as the back-office does.", no_args_is_help=True)


@cases_app.command("related")
def related_cases(
    code: str = typer.Argument(..., help="the case code, e.g. RMP-ABCD-EFGH"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Cases sharing an author handle, a link, a file (SHA-256) or a near PDQ hash."""
    from rempart.cli import fail, open_services
    from rempart.services import related
    from rempart.services.errors import CaseNotFound

    services = open_services()
    try:
        case_id, links = related.related_by_code(services.uow(), services.store, code)
    except CaseNotFound:
        fail(f"no case has the code {code.strip()[:40]}")
    finally:
        services.dispose()
    found = [{"code": r.code, "case_id": r.case_id,
              "links": [{"by": kind, "value": value} for kind, value in r.links]}
             for r in links.related]
    if as_json:
        typer.echo(json.dumps({"case_id": case_id, "related": found,
                               "near_duplicate_groups": links.near_duplicates}, indent=2))
        return
    if not found:
        typer.echo("no related case")
    for other in links.related:
        typer.echo(f"{other.code}\t" + ", ".join(f"{by}={value}" for by, value in other.links))


def register(app: typer.Typer) -> None:
    app.add_typer(cases_app, name="cases")
