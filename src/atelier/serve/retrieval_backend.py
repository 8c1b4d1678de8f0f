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


class EncoderRetrieval:
    """Search and captioning through Atelier's retrieval encoder and a catalogue index."""

    configured = True

    def __init__(self, service) -> None:
        self.service = service  # an `atelier.retrieval.service.RetrievalService`

    def unavailable_reason(self) -> str | None:
        return None

    def search(self, query: SearchQuery) -> list[SearchHit]:
        hits = self.service.search(query.text, query.image, query.k)
        return [SearchHit(hit.id, hit.score, dict(hit.metadata)) for hit in hits]

    def caption(self, image: np.ndarray, style: str | None) -> str:
        return self.service.caption(image, style)


def load_retrieval(index: Path | None, weights: Path | None = None) -> RetrievalBackend:
    """The retrieval backend for ``--index PATH``: the shipped encoder over that index.

    A missing or unusable index (or encoder) leaves the routes answering 503 with the reason,
    so the try-on routes keep serving.
    """
    if index is None:
        return UnconfiguredRetrieval()
    if not Path(index).exists():
        return UnconfiguredRetrieval(f"retrieval index not found at {index}")
    from atelier.retrieval.service import DEFAULT_WEIGHTS, RetrievalService

    try:
        service = RetrievalService(weights or DEFAULT_WEIGHTS, index)
    except (OSError, ValueError) as error:  # missing/unreadable weights, corrupt or mismatched index
        return UnconfiguredRetrieval(f"retrieval index {index} cannot be served: {error}")
    return EncoderRetrieval(service)
