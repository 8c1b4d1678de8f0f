"""What the search and caption routes need from retrieval, and its stand-in when absent.

The service is written against :class:`RetrievalBackend`; until an index is given with
``--index PATH`` the routes answer 503 through :class:`UnconfiguredRetrieval`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True, eq=False)
class SearchQuery:
    """A text query, an image query, or both (composed retrieval: image + modification).

    Attributes:
        text: Query or modification text; may be empty when ``image`` is given.
        image: (H, W, 3) uint8 reference image, or None.
        k: Number of results wanted.
    """

    text: str
    image: np.ndarray | None
    k: int


@dataclass(frozen=True)
class SearchHit:
    """One search result: a catalogue item id, its cosine score and its metadata."""

    item_id: str
    score: float
    metadata: dict[str, Any] = field(default_factory=dict)


class RetrievalBackend(Protocol):
    """Search and captioning over a loaded index. Methods may be slow; they run in a thread."""

    configured: bool

    def unavailable_reason(self) -> str | None:
        """Why the backend cannot answer, or None when it can."""
        ...

    def search(self, query: SearchQuery) -> list[SearchHit]:
        """The ``query.k`` best catalogue items, best first. Raises ValueError for a bad query."""
        ...

    def caption(self, image: np.ndarray, style: str | None) -> str:
        """A description of the garment in ``image``. Raises ValueError for an unknown style."""
        ...


class UnconfiguredRetrieval:
    """The backend when no usable index was given; every call says why."""

    configured = False

    def __init__(self, reason: str = "retrieval index not configured; start the service with --index PATH"):
        self.reason = reason

    def unavailable_reason(self) -> str | None:
        return self.reason

    def search(self, query: SearchQuery) -> list[SearchHit]:
        raise RuntimeError(self.reason)

    def caption(self, image: np.ndarray, style: str | None) -> str:
        raise RuntimeError(self.reason)


def load_retrieval(index: Path | None) -> RetrievalBackend:
    """The retrieval backend for ``--index PATH``.

    ``atelier.retrieval`` holds the vector stores but no query encoder yet, so a given
    index cannot be searched by text or image; the routes then say so instead of
    guessing at an encoder.
    """
    if index is None:
        return UnconfiguredRetrieval()
    if not Path(index).exists():
        return UnconfiguredRetrieval(f"retrieval index not found at {index}")
    return UnconfiguredRetrieval(
        f"retrieval index {index} cannot be served: this build has no retrieval encoder to embed queries"
    )
