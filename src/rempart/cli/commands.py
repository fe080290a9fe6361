"""Registers every capability's Typer commands on the root ``rempart`` app.

Each capability module exposes ``register(app)``; a new one adds its name to the list below.
They are imported when the CLI starts, not when this module is, so that importing the web app
or a service never pulls in the command-line modules.
"""

from __future__ import annotations

import importlib

import typer

CAPABILITY_MODULES: tuple[str, ...] = (
    "rempart.cli.banks",
    "rempart.cli.ledger",
    "rempart.cli.audit",
    "rempart.cli.backup",
    "rempart.cli.evidence",
    "rempart.cli.evidence_text",
    "rempart.cli.classifier",
    "rempart.cli.worker",
    "rempart.cli.hashing",
    "rempart.cli.staff_cases",
    "rempart.cli.keys",
    "rempart.cli.helplines",
    "rempart.cli.documents",
    "rempart.cli.takedowns",
    "rempart.cli.qualify",
    "rempart.cli.cases",
    "rempart.cli.stats",
    "rempart.cli.capture",
)

_REGISTERED: set[int] = set()


def register(app: typer.Typer) -> None:
    if id(app) in _REGISTERED:
        return
    _REGISTERED.add(id(app))
    for name in CAPABILITY_MODULES:
        importlib.import_module(name).register(app)
