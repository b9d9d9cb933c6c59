"""GET /templates/{id}/preview: a built-in demo profile shown with one template.

Nothing is read from or written to the database and nothing is counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from starlette.responses import Response

from eziox.deps import app_state
from eziox.templates.catalog import catalog
from eziox.web.public.page import PageLink
from eziox.web.render import not_found_page, render_html

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True, slots=True)
class DemoProfile:
    username: str = "rileyquinn"
    name: str = "Riley Quinn"
    bio: str = "Streamer, pixel artist and weekend speedrunner.\nNew videos every Friday."
    avatar: str | None = None
    banner: str | None = None


DEMO = DemoProfile()
DEMO_STATS = {"views": 48213, "followers": 1280, "following": 64}
DEMO_LINKS = [
    PageLink("#links", "Watch my latest video", "Building the new studio, part 2", None),
    PageLink("#links", "Live on weekdays at 7 pm", None, None),
    PageLink("#links", "Join the community Discord", "2,000 friendly people and one bot", None),
    PageLink("#links", "Prints and stickers shop", None, None),
    PageLink(
        "#links",
        "Read the full story of how a bedroom webcam turned into a weekly live show",
        "A long read about gear, burnout, community and what I would do differently next time",
        None,
    ),
]


@router.get("/templates/{template_id}/preview")
async def template_preview(request: Request, template_id: str) -> Response:
    """The demo profile with this template's theme (the HTML 404 page for unknown ids)."""
    public_url = app_state(request).settings.public_url
    template = catalog().find(template_id)
    if template is None:
        return not_found_page(f"There is no template called '{template_id}'.")
    response = render_html(
        "bio.html",
        theme=template.theme,
        account=DEMO,
        links=DEMO_LINKS,
        stats=DEMO_STATS,
        display_name=DEMO.name,
        description=f"The {template.name} template on Eziox: {template.description}",
        canonical=f"{public_url.rstrip('/')}/templates/{template.id}/preview",
        preview_of=template.name,
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
