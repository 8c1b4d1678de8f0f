"""Errors a user of search and captioning can cause, each a ValueError with a one-line message.

The vector stores raise their own typed errors (`atelier.retrieval.store`); the ones a user
causes are turned into these at the service boundary, so the command line and the HTTP
service report them as bad input, never as a crash.
"""

from __future__ import annotations

from atelier.retrieval.caption_styles import UnknownCaptionStyle

__all__ = ["EmptySearchQuery", "IndexMismatch", "RetrievalInputError", "UnknownCaptionStyle", "UnknownCatalogueItem", "UnusableIndex"]


class RetrievalInputError(ValueError):
    """Base of the search errors a user can cause."""


class EmptySearchQuery(RetrievalInputError):
    """A search with nothing to search for: no text (or only spaces) and no image."""


class UnknownCatalogueItem(RetrievalInputError, LookupError):
    """A catalogue item id that the index does not hold."""


class UnusableIndex(RetrievalInputError):
    """An index folder that is corrupt (a file missing, altered or unreadable)."""


class IndexMismatch(RetrievalInputError):
    """An index built with another encoder than the one searching it."""
