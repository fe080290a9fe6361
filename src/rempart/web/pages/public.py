"""Public pages: home, quick exit and the report form (the three paths are ``guidance.py``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from rempart.web.pages.common import render
from rempart.web.pages.reporting import report_form_page, submit_report_page

router = APIRouter(include_in_schema=False)

# Where "Quick exit" lands: a neutral, common site that explains nothing about Rempart.
NEUTRAL_SITE = "https://www.google.fr/"


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


@router.get("/signaler", response_class=HTMLResponse)
def report_form(request: Request) -> HTMLResponse:
    return report_form_page(request)


@router.post("/signaler", response_class=HTMLResponse)
async def submit_report(request: Request) -> HTMLResponse:
    return await submit_report_page(request)
