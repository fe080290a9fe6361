"""The statistics charts, drawn on the server by matplotlib as SVG (no script in the page).

Each chart is its own SVG document, served by an authenticated route and shown with
``<img src>``: an image cannot run anything, and the page keeps its strict CSP.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from rempart.services.stats import Figures  # noqa: E402
from rempart.web.i18n import gettext as _  # noqa: E402
from rempart.web.pages.forms import kind_label  # noqa: E402

COLOURS = ["#1d4ed8", "#b91c1c", "#7c3aed", "#047857", "#b45309", "#0e7490", "#6b7280",
           "#be185d"]
_lock = threading.Lock()  # pyplot keeps global state: one chart at a time
plt.rcParams.update({"svg.fonttype": "none", "font.size": 10, "svg.hashsalt": "rempart"})


def _svg(draw: Callable[[Figure], None]) -> bytes:
    with _lock:
        figure = plt.figure(figsize=(7, 3.6))
        try:
            draw(figure)
            figure.tight_layout()
            out = io.BytesIO()
            figure.savefig(out, format="svg", metadata={"Date": None})
        finally:
            plt.close(figure)
    # The few default rules of matplotlib's <style> block are kept as attributes already.
    return re.sub(rb"<style[^>]*>.*?</style>", b"", out.getvalue(), flags=re.S)


def _empty(axes: object, text: str) -> None:
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes)  # type: ignore[attr-defined]
    axes.set_axis_off()  # type: ignore[attr-defined]


def cases_per_week(found: Figures) -> bytes:
    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        weeks = list(found.cases_per_week)
        if not weeks:
            return _empty(axes, _("No case in this range."))
        kinds = sorted({k for counts in found.cases_per_week.values() for k in counts})
        bottom = [0] * len(weeks)
        for n, kind in enumerate(kinds):
            values = [found.cases_per_week[w].get(kind, 0) for w in weeks]
            axes.bar(weeks, values, bottom=bottom, label=kind_label(kind),
                     color=COLOURS[n % len(COLOURS)])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(_("Cases per week, by kind"))
        axes.set_ylabel(_("cases"))
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
        axes.legend(fontsize=7, loc="upper left")
        return None
    return _svg(draw)


def first_response(found: Figures) -> bytes:
    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        points = [(w, h) for w, h in found.first_response_hours_per_week.items()
                  if h is not None]
        if not points:
            return _empty(axes, _("No case answered in this range."))
        axes.plot([w for w, _ in points], [h for _, h in points], marker="o",
                  color=COLOURS[0])
        axes.set_title(_("Median time to first response (hours)"))
        axes.set_ylabel(_("hours"))
        axes.set_ylim(bottom=0)
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
        return None
    return _svg(draw)


def minors(found: Figures) -> bytes:
    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        if not found.cases:
            return _empty(axes, _("No case in this range."))
        axes.barh([_("minor victims"), _("adults or not said")],
                  [found.minors, found.cases - found.minors], color=[COLOURS[1], COLOURS[6]])
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        share = found.share_of_minors or 0
        axes.set_title(_("Share of minors: %(share)s %%") % {"share": round(share * 100)})
        axes.set_xlabel(_("cases"))
        return None
    return _svg(draw)


def takedown_outcomes(found: Figures) -> bytes:
    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        if not found.takedowns:
            return _empty(axes, _("No takedown request in this range."))
        platforms = [t.platform for t in found.takedowns]
        statuses = sorted({s for t in found.takedowns for s in t.outcomes})
        left = [0] * len(platforms)
        for n, status in enumerate(statuses):
            values = [t.outcomes.get(status, 0) for t in found.takedowns]
            axes.barh(platforms, values, left=left, label=status.replace("_", " "),
                      color=COLOURS[n % len(COLOURS)])
            left = [a + v for a, v in zip(left, values, strict=True)]
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(_("Takedown requests by platform and outcome"))
        axes.set_xlabel(_("requests"))
        axes.legend(fontsize=7, loc="lower right")
        return None
    return _svg(draw)


def decision_time(found: Figures) -> bytes:
    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        timed = [t for t in found.takedowns if t.median_decision_hours is not None]
        if not timed:
            return _empty(axes, _("No platform decision in this range."))
        axes.barh([t.platform for t in timed], [t.median_decision_hours or 0 for t in timed],
                  color=COLOURS[3])
        axes.set_title(_("Median time to the platform's decision (hours)"))
        axes.set_xlabel(_("hours"))
        return None
    return _svg(draw)


def referrals(found: Figures) -> bytes:
    def draw(figure: Figure) -> None:
        axes = figure.add_subplot()
        if not found.referrals:
            return _empty(axes, _("No referral in this range."))
        axes.bar(list(found.referrals), list(found.referrals.values()), color=COLOURS[2])
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(_("Referrals"))
        axes.set_ylabel(_("referrals"))
        return None
    return _svg(draw)


CHARTS: dict[str, Callable[[Figures], bytes]] = {
    "cases-per-week": cases_per_week, "first-response": first_response, "minors": minors,
    "takedown-outcomes": takedown_outcomes, "decision-time": decision_time,
    "referrals": referrals,
}
