"""What the use cases need of the application's wiring, as an interface.

``rempart.bootstrap.build`` makes the real one (engine, units of work, evidence vault); services
type against this Protocol so that the service layer never imports the wiring (the import-linter
contract "services import no web and no bootstrap"). Background jobs, which run where no request
brought the wiring, get it from the builder that ``rempart.bootstrap`` registers when it is
imported (every entry point imports it: the web app, the CLI, the worker).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from rempart.config import Settings


class App(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def session_factory(self) -> Any: ...
    @property
    def uow(self) -> Any: ...  # call it for a fresh unit of work: ``app.uow()``
    @property
    def store(self) -> Any: ...  # the evidence store (rempart.evidence.interface.EvidenceStore)
    @property
    def limits(self) -> Any: ...
    @property
    def attempts(self) -> Any: ...
    @property
    def totp_box(self) -> Any: ...

    def dispose(self) -> None: ...


_builder: Callable[[Settings], App] | None = None


def register_builder(builder: Callable[[Settings], App]) -> None:
    global _builder
    _builder = builder


def build_app(settings: Settings) -> App:
    """The wired application for a background job (the worker's own process)."""
    if _builder is None:
        raise RuntimeError("no application builder registered: import rempart.bootstrap first")
    return _builder(settings)
