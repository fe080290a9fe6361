"""Reading the report form: typed values for the service, raw values to re-fill the form."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.datastructures import FormData, UploadFile

from rempart.domain.cases import CaseKind, ReporterRole
from rempart.services.cases import NewReport
from rempart.web.i18n import gettext as _

PLATFORMS = ("Instagram", "TikTok", "Snapchat", "WhatsApp", "Facebook", "X", "YouTube",
             "Discord", "Telegram", "Twitch", "Roblox", "Fortnite", "E-mail / SMS")
ACCEPT = ("image/png,image/jpeg,image/webp,image/heic,image/heif,image/gif,application/pdf,"
          "video/mp4,video/quicktime,text/plain,.png,.jpg,.jpeg,.webp,.heic,.heif,.gif,.pdf,"
          ".mp4,.mov,.txt")


def kind_choices() -> list[tuple[str, str]]:
    labels = {
        CaseKind.INSULTS: _("Insults, mockery"),
        CaseKind.THREATS: _("Threats"),
        CaseKind.INTIMATE_IMAGES: _("Intimate images shared without consent"),
        CaseKind.PERSONAL_INFO_EXPOSURE: _("Exposure of personal information (address, phone…)"),
        CaseKind.IDENTITY_THEFT: _("Identity theft, fake account"),
        CaseKind.GROUP_HARASSMENT: _("Group harassment, “raid”"),
        CaseKind.OTHER: _("Something else"),
    }
    return [(kind.value, labels[kind]) for kind in CaseKind]


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
    return dict(kind_choices()).get(kind, kind)


@dataclass
class ReportForm:
    """The form as typed: what is re-shown after an error (never the files)."""

    description: str = ""
    kinds: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    other_platform: str = ""
    urls: str = ""
    started_on: str = ""
    last_on: str = ""
    author_handles: str = ""
    victim_is_minor: bool = False
    reporter_role: str = ReporterRole.VICTIM.value
    contact: str = ""

    @classmethod
    def from_form(cls, form: FormData) -> ReportForm:
        def text(name: str) -> str:
            value = form.get(name, "")
            return value if isinstance(value, str) else ""

        def many(name: str) -> list[str]:
            return [v for v in form.getlist(name) if isinstance(v, str)]

        return cls(description=text("description"), kinds=many("kinds"),
                   platforms=many("platforms"), other_platform=text("other_platform"),
                   urls=text("urls"), started_on=text("started_on"), last_on=text("last_on"),
                   author_handles=text("author_handles"),
                   victim_is_minor=text("victim_is_minor") == "1",
                   reporter_role=text("reporter_role") or ReporterRole.VICTIM.value,
                   contact=text("contact"))

    def problems(self) -> list[str]:
        """Reasons in the reporter's language; the domain re-checks everything."""
        found = []
        if not self.description.strip():
            found.append(_("Describe what happened in the first field."))
        if not self.kinds:
            found.append(_("Choose at least one kind of harassment."))
        if any(k not in CaseKind.__members__.values() for k in self.kinds):
            found.append(_("Unknown kind of harassment."))
        if self.reporter_role not in ReporterRole.__members__.values():
            found.append(_("Choose who you are."))
        return found

    def to_report(self) -> NewReport:
        dates = " → ".join(d for d in (self.started_on.strip(), self.last_on.strip()) if d)
        return NewReport(
            description=self.description,
            kinds=[CaseKind(k) for k in self.kinds],
            platforms=[p for p in self.platforms if p in PLATFORMS],
            other_platform=self.other_platform or None,
            urls=[line.strip() for line in self.urls.splitlines() if line.strip()],
            incident_dates=dates or None,
            author_handles=[h.strip() for h in self.author_handles.splitlines() if h.strip()],
            victim_is_minor=self.victim_is_minor,
            reporter_role=ReporterRole(self.reporter_role),
            contact=self.contact or None,
        )


def uploaded_files(form: FormData, name: str = "evidence") -> list[UploadFile]:
    """The files actually chosen (browsers send one empty part when none is)."""
    return [f for f in form.getlist(name)
            if isinstance(f, UploadFile) and (f.filename or (f.size or 0) > 0)]
