"""`RetrievalService`: search a catalogue index and caption images, the API the CLI and HTTP use.

    service = RetrievalService("weights/retrieval", "out/catalogue-index")
    service.search_text("red striped dress", k=5)
    service.search_image(picture, k=5)                       # picture: (H, W, 3) uint8
    service.search_composed(picture, "is blue and has long sleeves", k=5)
    service.search_like("g0123abcd", k=5)                    # neighbours of an indexed item
    service.caption(picture, "detailed")

Every method validates its input and raises a `RetrievalInputError` (a ValueError) for bad
queries. The encoder runs in float32, one query at a time: a lock serialises calls from the
HTTP service's worker threads (the tokenizer is not meant to be shared between threads, and
on a CPU concurrent queries would only compete for the same cores).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import torch

from atelier.retrieval.caption_styles import DEFAULT_STYLE, style_prefix
from atelier.retrieval.encoder_file import (
    DEFAULT_WEIGHTS,
    encoder_fingerprint,
    load_encoder,
)
from atelier.retrieval.errors import (
    EmptySearchQuery,
    IndexMismatch,
    RetrievalInputError,
    UnknownCatalogueItem,
    UnusableIndex,
)
from atelier.retrieval.faiss_store import FaissStore
from atelier.retrieval.image_preprocessing import images_to_tensor
from atelier.retrieval.store import CorruptIndex, SearchHit, UnknownItem

MAX_QUERY_CHARS = 1000
MAX_BEAMS = 8


class RetrievalService:
    """The encoder and (optionally) a catalogue index, ready to answer queries.

    Args:
        weights: encoder file or folder (default: the shipped `weights/retrieval`).
        index: a folder written by `atelier index build`; None for captioning only.

    Raises:
        FileNotFoundError: no encoder file, or no index at `index`.
        UnusableWeights: an unreadable encoder file.
        UnusableIndex: a corrupt index.
        IndexMismatch: an index built with another encoder.
    """

    def __init__(self, weights: str | os.PathLike = DEFAULT_WEIGHTS, index: str | os.PathLike | None = None):
        self.encoder = load_encoder(weights)
        self.fingerprint = encoder_fingerprint(weights)
        self._encoder_lock = threading.Lock()
        self.store = None if index is None else _open_index(Path(index), self.encoder.config.embed_dim, self.fingerprint)

    # --- search -------------------------------------------------------------------------

    def search_text(self, text: str, k: int = 10) -> list[SearchHit]:
        """Catalogue items that fit a description, best first."""
        text = _query_text(text)
        with self._encoder_lock, torch.no_grad():
            vector = self.encoder.embed_texts([text])
        return self._search(vector, k)

    def search_image(self, image: np.ndarray, k: int = 10) -> list[SearchHit]:
        """Catalogue items that look like an (H, W, 3) uint8 picture, best first."""
        tensor = self._tensor(image)
        with self._encoder_lock, torch.no_grad():
            vector = self.encoder.embed_images(tensor)
        return self._search(vector, k)

    def search_composed(self, image: np.ndarray, text: str, k: int = 10) -> list[SearchHit]:
        """Catalogue items like the pictured garment, changed as the text says ("is red")."""
        text, tensor = _query_text(text), self._tensor(image)
        with self._encoder_lock, torch.no_grad():
            vector = self.encoder.embed_composed(tensor, [text])
        return self._search(vector, k)

    def search_like(self, item_id: str, k: int = 10) -> list[SearchHit]:
        """The items nearest an indexed item (itself left out), best first."""
        store = self._require_store()
        try:
            vector = store.get(item_id).vector
        except UnknownItem:
            raise UnknownCatalogueItem(f"unknown catalogue item id {item_id!r}: the index does not hold it") from None
        hits = self._search(torch.from_numpy(vector[None]), _check_k(k) + 1)
        return [hit for hit in hits if hit.id != item_id][:k]

    def search(self, text: str = "", image: np.ndarray | None = None, k: int = 10) -> list[SearchHit]:
        """Text, image or composed search, by what is given (the HTTP service's entry point)."""
        text = (text or "").strip()
        if image is None:
            return self.search_text(text, k)
        return self.search_composed(image, text, k) if text else self.search_image(image, k)

    # --- captions -----------------------------------------------------------------------

    def caption(self, image: np.ndarray, style: str | None = None, beams: int = 1) -> str:
        """A caption of the garment in the picture.

        Args:
            image: (H, W, 3) uint8.
            style: "short", "professional" (default) or "detailed".
            beams: 1 for greedy decoding, up to 8 for beam search.
        """
        style = style or DEFAULT_STYLE
        style_prefix(style)  # raises UnknownCaptionStyle
        if not isinstance(beams, int) or not 1 <= beams <= MAX_BEAMS:
            raise RetrievalInputError(f"beams must be a whole number from 1 to {MAX_BEAMS}, got {beams!r}")
        tensor = self._tensor(image)
        with self._encoder_lock:
            return self.encoder.generate_captions(tensor, style, beams=beams)[0]

    # --- helpers ------------------------------------------------------------------------

    def _tensor(self, image: np.ndarray) -> torch.Tensor:
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8 or 0 in image.shape:
            raise RetrievalInputError("the image must be a non-empty (H, W, 3) uint8 RGB array")
        return images_to_tensor([image], self.encoder.config.image_size).to(self.encoder.device)

    def _require_store(self) -> FaissStore:
        if self.store is None:
            raise RetrievalInputError("no catalogue index loaded; build one with `atelier index build`")
        return self.store

    def _search(self, vector: torch.Tensor, k: int) -> list[SearchHit]:
        store = self._require_store()
        return store.search(vector.float().cpu().numpy(), _check_k(k))[0]


def _query_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise EmptySearchQuery("the query text is empty; describe the garment (or give an image)")
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise RetrievalInputError(f"the query text is too long: at most {MAX_QUERY_CHARS} characters, got {len(text)}")
    return text


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise RetrievalInputError(f"k must be a positive whole number, got {k!r}")
    return int(k)


def _open_index(path: Path, dim: int, fingerprint: str) -> FaissStore:
    """Load an index and check that this encoder made it."""
    try:
        store = FaissStore.load(path)
    except CorruptIndex as error:
        raise UnusableIndex(f"the index at {path} is unusable: {error}") from None
    if store.dim != dim:
        raise IndexMismatch(f"the index at {path} holds {store.dim}-d vectors but the encoder makes {dim}-d ones; rebuild it")
    if len(store):
        # Any one item tells which encoder built the index: every item records it.
        some_item = store.search(np.ones((1, dim), dtype=np.float32), 1)[0][0]
        made_by = some_item.metadata.get("encoder")
        if made_by and made_by != fingerprint:
            raise IndexMismatch(f"the index at {path} was built with another encoder ({made_by}, this one is {fingerprint}); rebuild it")
    return store
