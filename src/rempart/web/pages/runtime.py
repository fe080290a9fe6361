"""The services the pages call: built once per app from the settings (``rempart.bootstrap``)."""

from __future__ import annotations

import threading

from fastapi import Request
from starlette.datastructures import UploadFile

from rempart import bootstrap
from rempart.services.cases import AttemptPolicy
from rempart.services.errors import UploadRejected
from rempart.services.uploads import Upload, UploadLimits
from rempart.web.i18n import gettext as _

_lock = threading.Lock()


def runtime(request: Request) -> bootstrap.Wiring:
    """The app's unit-of-work factory and evidence store (``bootstrap.build``), built lazily."""
    state = request.app.state
    with _lock:
        if getattr(state, "rempart", None) is None:
            state.rempart = bootstrap.build(state.settings)
    services: bootstrap.Wiring = state.rempart
    return services


def limits(request: Request) -> UploadLimits:
    return runtime(request).limits


def attempt_policy(request: Request) -> AttemptPolicy:
    return runtime(request).attempts


def to_uploads(files: list[UploadFile]) -> list[Upload]:
    """Service uploads reading straight from the spooled files (never whole in memory)."""
    return [Upload(file_name=f.filename or "", declared_type=f.content_type or None,
                   stream=f.file) for f in files]


def refused_file(problem: UploadRejected) -> str:
    return _("A file was refused, nothing was stored: %(reason)s") % {"reason": str(problem)}
