"""Public pages: home, the three paths, quick exit and the report form."""

from __future__ import annotations

import importlib.util

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rempart.web.i18n import gettext as _
from rempart.web.pages.common import render
from rempart.web.pages.reporting import report_form_page, submit_report_page

router = APIRouter(include_in_schema=False)

# Where "Quick exit" lands: a neutral, common site that explains nothing about Rempart.
NEUTRAL_SITE = "https://www.google.fr/"
# Guidance pages (other engineers' ``pages/guidance.py``) take over the three paths when present.
GUIDANCE_PRESENT = importlib.util.find_spec("rempart.web.pages.guidance") is not None


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")


@router.get("/quitter")
def quick_exit() -> Response:
    """Leave at once: 303 to a neutral site and wipe this site's cookies, storage and cache.

    Works without JavaScript (a plain link). With JavaScript, ``quick-exit.js`` calls
    ``location.replace('/quitter')`` so the Rempart page is replaced in the history.
    """
    return RedirectResponse(NEUTRAL_SITE, status_code=303, headers={
        "Clear-Site-Data": '"cache", "cookies", "storage"',
        "Cache-Control": "no-store",
    })


def _path_page(request: Request, role: str, heading: str, paragraphs: list[str]) -> HTMLResponse:
    return render(request, "path.html", {"role": role, "heading": heading,
                                         "paragraphs": paragraphs})


if not GUIDANCE_PRESENT:
    @router.get("/victime", response_class=HTMLResponse)
    def victim(request: Request) -> HTMLResponse:
        return _path_page(request, "victim", _("I am a victim"), [
            _("What is happening to you is not your fault. Online harassment is an offence in "
              "France, and you have the right to be protected."),
            _("You can tell us what is happening without giving your name.")])

    @router.get("/temoin", response_class=HTMLResponse)
    def witness(request: Request) -> HTMLResponse:
        return _path_page(request, "witness", _("I am a witness"), [
            _("By reporting, you help the person being harassed, even if you do not know them."),
            _("Joining in or sharing harassing content is also an offence: do not forward it, "
              "report it.")])

    @router.get("/parent", response_class=HTMLResponse)
    def parent(request: Request) -> HTMLResponse:
        return _path_page(request, "adult", _("I am a parent / a trusted adult"), [
            _("Listen without judging and without taking the phone away: the young person "
              "trusted you."),
            _("Keep the evidence together, then report with them.")])


@router.get("/signaler", response_class=HTMLResponse)
def report_form(request: Request) -> HTMLResponse:
    return report_form_page(request)


@router.post("/signaler", response_class=HTMLResponse)
async def submit_report(request: Request) -> HTMLResponse:
    return await submit_report_page(request)
