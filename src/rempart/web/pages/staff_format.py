"""How the back-office says durations and the reasons of a priority, in the reader's language."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from rempart.detect.classifier.labels import label_name
from rempart.domain.triage import Reason
from rempart.web.i18n import current_language
from rempart.web.i18n import gettext as _


def duration(value: timedelta | None) -> str:
    """"12 min", "3 h 05", "2 d 4 h" (French: "2 j 4 h"); an empty string for None."""
    if value is None:
        return ""
    minutes = max(0, int(value.total_seconds() // 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)02d") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}


def reason_text(reason: Reason) -> str:
    """One reason of a priority ("menace de mort", "victime de 13 ans")."""
    text = _(reason.message)
    return text % reason.values if reason.values else text


def classifier_label(label: str) -> str:
    """A classifier label ("threat", "sextortion") in the reader's language."""
    return label_name(label, current_language())


def reasons_text(reasons: list[Reason]) -> str:
    return " · ".join(reason_text(r) for r in reasons)


def action_label(action: str) -> str:
    """An audit action in the reader's language (the code itself for an unknown one)."""
    labels = {
        "case.submitted": _("report filed"), "case.opened": _("case opened by the reporter"),
        "case.open_refused": _("wrong passphrase"), "case.locked": _("case code locked"),
        "case.viewed": _("case viewed"), "case.withdrawn": _("case withdrawn"),
        "evidence.added": _("evidence added"), "evidence.viewed": _("evidence viewed"),
        "evidence.exported": _("evidence exported"), "message.posted": _("message posted"),
        "note.added": _("internal note added"), "status.changed": _("status changed"),
        "queue.viewed": _("queue viewed"), "staff.created": _("account created"),
        "staff.disabled": _("account disabled"), "staff.login": _("logged in"),
        "staff.login_failed": _("login failed"), "staff.logout": _("logged out"),
        "audit.read": _("audit log read"), "audit.exported": _("audit log exported"),
        "document.generated": _("document generated"),
        "match.queried": _("hash matching queried"),
        "match.feedback": _("matching feedback"), "bank.hashes_added": _("hashes banked"),
        "case.assigned": _("assignment changed"),
        "canned_reply.changed": _("canned reply changed"),
        "stats.read": _("statistics read"), "takedown.created": _("takedown drafted"),
        "takedown.updated": _("takedown updated"), "takedown.viewed": _("takedowns viewed"),
        "referral.recorded": _("referral recorded"), "consent.changed": _("consent changed"),
        "contact.removed": _("contact removed"), "notification.sent": _("notification sent"),
        "capture.requested": _("page capture requested"),
        "witness.invited": _("witness invitation drawn"),
        "witness.invitation_revoked": _("witness invitation revoked"),
        "witness.code_refused": _("witness code refused"),
        "witness.contributed": _("witness contribution received"),
        "witness.file_viewed": _("witness file viewed"),
        "witness.accepted": _("witness contribution accepted"),
        "witness.declined": _("witness contribution declined"),
    }
    return labels.get(action, action)


def audit_csv(lines: list[Any]) -> str:
    """The audit lines as CSV (UTC times, case codes, action codes and names)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at_utc", "actor", "staff", "action", "action_name", "case", "detail"])
    for line in lines:
        writer.writerow([line.at.strftime("%Y-%m-%dT%H:%M:%SZ"), line.actor,
                         line.staff_email or "", line.action, action_label(line.action),
                         line.case_code or (line.case_id or ""),
                         " ".join(f"{k}={v}" for k, v in sorted(line.detail.items()))])
    return out.getvalue()
