"""The web page at ``/`` and its static files, served from the package (no build step)."""

from __future__ import annotations

import html
from functools import cache
from importlib import resources

from fastapi import APIRouter
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from atelier.serve.task_inputs import MAX_GARMENTS
from atelier.world.vocabulary import CATEGORIES

router = APIRouter(include_in_schema=False)

# The page loads only its own script, style and the images it makes from the user's files.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; script-src 'self'; style-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@cache
def page_html() -> str:
    """The page, with the category choices and garment limit filled in from the vocabulary."""
    template = resources.files("atelier.serve").joinpath("web", "index.html").read_text(encoding="utf-8")
    options = "\n".join(
        f'<option value="{html.escape(category)}">{html.escape(category)}</option>' for category in CATEGORIES
    )
    return template.replace("{{category_options}}", options).replace("{{max_garments}}", str(MAX_GARMENTS))


@router.get("/", response_class=HTMLResponse)
async def index() -> HTMLResponse:
    """The try-on page."""
    return HTMLResponse(page_html(), headers=PAGE_HEADERS)


def static_files() -> StaticFiles:
    """The page's script and style, for mounting at ``/static``."""
    return StaticFiles(packages=[("atelier.serve", "web")])
