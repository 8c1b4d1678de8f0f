"""A named stand-in for the retrieval index, answering from a fixed catalogue."""

from __future__ import annotations

import numpy as np

from atelier.serve.retrieval_backend import SearchHit, SearchQuery


class FixedCatalogueRetrieval:
    """Scores a fixed catalogue by how many query words its item ids share; captions by colour."""

    configured = True
    CATALOGUE = ("red-top", "blue-pants", "red-dress", "black-coat", "white-shoes")

    def unavailable_reason(self) -> str | None:
        return None

    def search(self, query: SearchQuery) -> list[SearchHit]:
        words = set(query.text.lower().split())
        scored = [
            SearchHit(item_id, float(len(words & set(item_id.split("-")))), {"category": item_id.split("-")[1]})
            for item_id in self.CATALOGUE
        ]
        scored.sort(key=lambda hit: -hit.score)
        return scored[: query.k]

    def caption(self, image: np.ndarray, style: str | None) -> str:
        if style not in (None, "short"):
            raise ValueError(f"unknown caption style {style!r}")
        red, green, blue = image.reshape(-1, 3).mean(axis=0)
        return "a reddish garment" if red > max(green, blue) else "a garment"
