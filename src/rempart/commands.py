"""Registers every capability's Typer commands on the root ``rempart`` app.

Each capability module exposes ``register(app)``; a new one adds its name to the list below.
They are imported when the CLI starts, not when this module is, so that importing the web app
or a service never pulls in the command-line modules.
"""

from __future__ import annotations

import importlib

import typer

CAPABILITY_MODULES: tuple[str, ...] = (
    "rempart.detect.cli_banks",
    "rempart.evidence.cli_ledger",
    "rempart.evidence.cli_evidence",
    "rempart.detect.classifier.cli",
    "rempart.media.cli_hash",
    "rempart.cli_core",
    "rempart.evidence.cli_keys",
    "rempart.cli_helplines",
    "rempart.documents.cli",
)

_REGISTERED: set[int] = set()


def register(app: typer.Typer) -> None:
    if id(app) in _REGISTERED:
        return
    _REGISTERED.add(id(app))
    for name in CAPABILITY_MODULES:
        importlib.import_module(name).register(app)
