"""Registers every capability's Typer commands on the root ``rempart`` app.

One line per capability module; each module exposes ``register(app)``.
"""

from __future__ import annotations

import typer

_REGISTERED: set[int] = set()


def register(app: typer.Typer) -> None:
    if id(app) in _REGISTERED:
        return
    _REGISTERED.add(id(app))
    # Capability modules add their line below, e.g.:
    #   from rempart.evidence import cli as evidence_cli; evidence_cli.register(app)
    from rempart.detect import cli_banks; cli_banks.register(app)  # noqa: E702, I001
    from rempart.evidence import cli_ledger; cli_ledger.register(app)  # noqa: E702, I001
    from rempart.evidence import cli_evidence; cli_evidence.register(app)  # noqa: E702, I001
    from rempart.detect.classifier import cli as classifier_cli; classifier_cli.register(app)  # noqa: E501, E702, I001
    from rempart.media import cli_hash; cli_hash.register(app)  # noqa: E702, I001
    from rempart import cli_core; cli_core.register(app)  # noqa: E702, I001
    from rempart.evidence import cli_keys; cli_keys.register(app)  # noqa: E702, I001
    from rempart import cli_helplines; cli_helplines.register(app)  # noqa: E702, I001
    from rempart.documents import cli as documents_cli; documents_cli.register(app)  # noqa: E702, I001
