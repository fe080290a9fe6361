"""Reading the report form: typed values for the service, raw values to re-fill the form."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData, UploadFile

from rempart.domain import cases as cases_domain
from rempart.domain.cases import CaseKind, ReporterRole
from rempart.services.cases import NewReport
from rempart.web.i18n import current_language
from rempart.web.i18n import gettext as _
from rempart.web.pages.fact_questions import FactsForm

PLATFORMS = ("Instagram", "TikTok", "Snapchat", "WhatsApp", "Facebook", "X", "YouTube",
             "Discord", "Telegram", "Twitch", "Roblox", "Fortnite", "E-mail / SMS")
# Every kind of evidence is accepted (issue 14.2: types are checked from content on the server),
# so the file picker offers every file: voice notes, exports, e-mails, saved pages.
ACCEPT = ""


def kind_choices() -> list[tuple[str, str]]:
    language = current_language()
    return [(kind.value, cases_domain.kind_label(kind, language)) for kind in CaseKind]


def role_choices() -> list[tuple[str, str]]:
    return [(ReporterRole.VICTIM.value, _("I am the person being harassed")),
            (ReporterRole.WITNESS.value, _("I am a witness")),
            (ReporterRole.ADULT.value, _("I am a parent or a trusted adult"))]


def role_label(role: str) -> str:
    return {ReporterRole.VICTIM.value: _("Victim"), ReporterRole.WITNESS.value: _("Witness"),
            ReporterRole.ADULT.value: _("Parent or trusted adult")}.get(role, role)


def status_label(status: str) -> str:
    return {
        "received": _("Received"), "in_review": _("In review"),
        "action_taken": _("Action taken"), "referred_to_police": _("Referred to the police"),
        "closed": _("Closed"),
    }.get(status, status)


def kind_label(kind: str) -> str:
    return cases_domain.kind_label(kind, current_language())


@dataclass
class ReportForm:
    """The form as typed: what is re-shown after an error (never the files)."""

    description: str = ""
    kinds: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    other_platform: str = ""
    urls: str = ""
    author_handles: str = ""
    victim_is_minor: bool = False
    reporter_role: str = ReporterRole.VICTIM.value
    contact: str = ""
    facts: FactsForm = field(default_factory=FactsForm)

    @classmethod
    def from_form(cls, form: FormData) -> ReportForm:
        def text(name: str) -> str:
            value = form.get(name, "")
            return value if isinstance(value, str) else ""

        def many(name: str) -> list[str]:
            return [v for v in form.getlist(name) if isinstance(v, str)]

        return cls(description=text("description"), kinds=many("kinds"),
                   platforms=many("platforms"), other_platform=text("other_platform"),
                   urls=text("urls"), author_handles=text("author_handles"),
                   victim_is_minor=text("victim_is_minor") == "1",
                   reporter_role=text("reporter_role") or ReporterRole.VICTIM.value,
                   contact=text("contact"), facts=FactsForm.from_form(form))

    def problems(self) -> dict[str, str]:
        """Field name → reason in the reporter's language, shown next to the field (and listed
        at the top); the domain re-checks everything."""
        found = {}
        if not self.description.strip():
            found["description"] = _("Describe what happened in the first field.")
        if not self.kinds:
            found["kinds"] = _("Choose at least one kind of harassment.")
        elif any(k not in CaseKind.__members__.values() for k in self.kinds):
            found["kinds"] = _("Unknown kind of harassment.")
        if self.reporter_role not in ReporterRole.__members__.values():
            found["reporter_role"] = _("Choose who you are.")
        bad_links = [u for u in self._links() if not cases_domain.is_web_link(u)]
        if bad_links:
            found["urls"] = _("This is not a web link: %(link)s") % {"link": bad_links[0][:80]}
        found.update(self.facts.problems())
        return found

    def _links(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.urls.splitlines() if line.strip())

    def to_report(self) -> NewReport:
        return NewReport(
            description=self.description,
            kinds=tuple(CaseKind(k) for k in self.kinds),
            platforms=tuple(p for p in self.platforms if p in PLATFORMS),
            other_platform=self.other_platform or None,
            urls=self._links(),
            author_handles=tuple(h.strip() for h in self.author_handles.splitlines()
                                 if h.strip()),
            victim_is_minor=self.victim_is_minor,
            reporter_role=ReporterRole(self.reporter_role),
            contact=self.contact or None,
            facts=self.facts.to_facts(),
        )


def uploaded_files(form: FormData, name: str = "evidence") -> list[UploadFile]:
    """The files actually chosen (browsers send one empty part when none is)."""
    return [f for f in form.getlist(name)
            if isinstance(f, UploadFile) and (f.filename or (f.size or 0) > 0)]
