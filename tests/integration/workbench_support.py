"""A real local SMTP server (aiosmtpd) for the follow-through tests, and a case to work on."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message

import pytest

from rempart.domain.cases import CaseKind, ReporterRole
from rempart.services.cases import NewReport, submit_report
from rempart.services.uploads import Upload
from tests.integration.foundation_support import PNG, build
from tests.integration.server_support import free_port


@dataclass
class Mailbox:
    port: int
    messages: list[Message] = field(default_factory=list)
    refuse: int = 0  # answer the next N messages with a temporary failure

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.box.refuse > 0:
            self.box.refuse -= 1
            return "451 4.3.0 try again later"
        message = message_from_bytes(envelope.original_content or envelope.content)
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.box.messages.append(message)
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox(free_port())
    controller = Controller(_Handler(box), hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


def file_case(services, contact: str | None = "victime@example.org", minor: bool = True):
    report = NewReport(description="Des menaces chaque soir sur Instagram.",
                       kinds=[CaseKind.THREATS], platforms=["Instagram"],
                       urls=["https://www.instagram.com/p/abc/"], victim_is_minor=minor,
                       reporter_role=ReporterRole.VICTIM, contact=contact)
    return submit_report(services.uow(), services.store, report,
                         [Upload("menace.png", "image/png", io.BytesIO(PNG))], services.limits)


def workbench_services(tmp_path, url, **settings):
    values = {"organisation_name": "Association Test", "organisation_email": "dsa@asso.example",
              "public_url": "https://rempart.example"}
    values.update(settings)
    return build(tmp_path, url, **values)
