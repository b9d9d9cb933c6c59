"""Template and design-token models: the catalog files, the wire format and profile overrides.

Field names are camelCase because they are the wire names (and the catalog files' names).
Every token is either a ``#rrggbb`` colour or one value of a small enum, so whatever reaches
the bio page's CSS has been validated here first.
"""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Category = Literal[
    "General", "Gamer", "VTuber", "Developer", "Streamer", "Artist", "Minimal", "Premium"
]
CATEGORIES: tuple[Category, ...] = get_args(Category)

FontName = Literal[
    "system",
    "neo-grotesque",
    "humanist",
    "geometric",
    "rounded",
    "industrial",
    "transitional",
    "old-style",
    "didone",
    "slab",
    "mono",
    "handwritten",
]
CardStyle = Literal["solid", "glass", "outline"]
BorderRadius = Literal["sharp", "rounded", "pill"]
BackgroundStyle = Literal["solid", "gradient", "pattern"]
ButtonHover = Literal["lift", "glow", "fill", "scale", "border"]

TEMPLATE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
HexColor = Annotated[
    str,
    Field(pattern=r"^#[0-9a-fA-F]{6}$", examples=["#5b21b6"]),
    AfterValidator(str.lower),
]

_FROZEN = ConfigDict(extra="forbid", frozen=True)


class Colors(BaseModel):
    model_config = _FROZEN

    background: HexColor
    surface: HexColor = Field(description="Cards and buttons")
    text: HexColor
    muted: HexColor = Field(description="Secondary text: handle, stats, link descriptions")
    accent: HexColor
    accentText: HexColor = Field(description="Text drawn on the accent colour")


class Fonts(BaseModel):
    model_config = _FROZEN

    display: FontName = Field(description="Headings: a named system font stack")
    body: FontName


class Theme(BaseModel):
    model_config = _FROZEN

    colors: Colors
    fonts: Fonts
    cardStyle: CardStyle
    borderRadius: BorderRadius
    background: BackgroundStyle
    buttonHover: ButtonHover


class Template(BaseModel):
    """A named bio-page design."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "example": {
                "id": "neon-arcade",
                "name": "Neon Arcade",
                "description": "Arcade-cabinet neon over a dotted grid.",
                "category": "Gamer",
                "premium": True,
                "theme": {
                    "colors": {
                        "background": "#0b0620",
                        "surface": "#1a1038",
                        "text": "#f5f3ff",
                        "muted": "#c4b5fd",
                        "accent": "#f472b6",
                        "accentText": "#1a0b2e",
                    },
                    "fonts": {"display": "industrial", "body": "mono"},
                    "cardStyle": "glass",
                    "borderRadius": "sharp",
                    "background": "pattern",
                    "buttonHover": "glow",
                },
            }
        },
    )

    id: Annotated[str, Field(pattern=TEMPLATE_ID_PATTERN)]
    name: Annotated[str, Field(min_length=1, max_length=40)]
    description: Annotated[str, Field(min_length=1, max_length=200)]
    category: Category
    premium: bool
    theme: Theme


class TemplateList(BaseModel):
    templates: list[Template]
    total: int


class ColorOverrides(BaseModel):
    model_config = _FROZEN

    background: HexColor | None = None
    surface: HexColor | None = None
    text: HexColor | None = None
    muted: HexColor | None = None
    accent: HexColor | None = None
    accentText: HexColor | None = None


class FontOverrides(BaseModel):
    model_config = _FROZEN

    display: FontName | None = None
    body: FontName | None = None


class DesignOverrides(BaseModel):
    """Your changes to the theme's tokens (paid tiers); every token is optional."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "example": {"colors": {"accent": "#0e7490"}, "cardStyle": "outline"},
        },
    )

    colors: ColorOverrides | None = None
    fonts: FontOverrides | None = None
    cardStyle: CardStyle | None = None
    borderRadius: BorderRadius | None = None
    background: BackgroundStyle | None = None
    buttonHover: ButtonHover | None = None
