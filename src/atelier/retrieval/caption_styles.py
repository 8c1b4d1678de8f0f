"""The caption styles and the instruction prefix that selects each one."""

from __future__ import annotations

from atelier.world.text import CAPTION_STYLES

DEFAULT_STYLE = "professional"


class UnknownCaptionStyle(ValueError):
    """A caption style that is not one of `CAPTION_STYLES`."""

    def __init__(self, style: object):
        super().__init__(f"unknown caption style {style!r}; expected one of {', '.join(CAPTION_STYLES)}")


def style_prefix(style: str) -> str:
    """The instruction that starts a caption of `style`: "short:", "professional:", "detailed:"."""
    if style not in CAPTION_STYLES:
        raise UnknownCaptionStyle(style)
    return f"{style}:"


def styled_caption(style: str, caption: str) -> str:
    """The decoder's training text: the style prefix, then the caption."""
    return f"{style_prefix(style)} {caption}"
