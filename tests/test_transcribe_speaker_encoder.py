"""The speaker encoder: Resemblyzer's weights read without torch, checked, and telling voices apart.

Runs the real weights on real espeak-ng speech. Tampering happens on a copy in a temporary
folder; the installed package is only read.
"""

from __future__ import annotations

import importlib.metadata
import io
import os
import pickle
import shutil

import numpy as np
import pytest

from transcribe import synth
from transcribe.speaker_encoder import (
    ENCODER_PACKAGE,
    ENCODER_VERSION,
    EncoderNotFoundError,
    load_encoder,
    mel_frames,
    normalise_volume,
    read_state_dict,
    weights_path,
)

TEXTS = (synth._sentences()[0], synth._sentences()[4])


def voice_embedding(text: str, voice: tuple[str, int, int]) -> np.ndarray:
    """The mean of the 1.5 s window embeddings of ``text`` in ``voice``, unit length."""
    mels = mel_frames(normalise_volume(synth.voice_samples(text, voice)))
    windows = np.stack([mels[i : i + 150] for i in range(0, len(mels) - 150, 75)])
    mean = load_encoder().embed(windows).mean(axis=0)
    return mean / np.linalg.norm(mean)


def test_the_installed_weights_are_the_pinned_version() -> None:
    assert importlib.metadata.version(ENCODER_PACKAGE) == ENCODER_VERSION
    state = read_state_dict(weights_path().open("rb"))["model_state"]
    assert state["lstm.weight_ih_l0"].shape == (1024, 40)
    assert state["lstm.weight_hh_l2"].shape == (1024, 256)
    assert state["linear.weight"].shape == (256, 256)


def test_embeddings_of_one_voice_are_closer_than_of_two_voices() -> None:
    first, second, third = synth.INTERVIEW_VOICES
    same = voice_embedding(TEXTS[0], first) @ voice_embedding(TEXTS[1], first)
    other = voice_embedding(TEXTS[0], first) @ voice_embedding(TEXTS[1], second)
    third_other = voice_embedding(TEXTS[0], first) @ voice_embedding(TEXTS[1], third)
    assert same > 0.85  # the same voice, saying different words (0.90 measured)
    assert other < same - 0.1 and third_other < same - 0.1  # 0.60 and 0.75 measured
    embeddings = load_encoder().embed(np.ones((3, 150, 40), dtype=np.float32))
    np.testing.assert_allclose(np.linalg.norm(embeddings, axis=1), 1.0, rtol=1e-5)


def test_a_changed_weights_file_is_refused_with_how_to_reinstall(tmp_path) -> None:
    copy = tmp_path / "pretrained.pt"
    shutil.copyfile(weights_path(), copy)
    with open(copy, "r+b") as f:
        f.seek(os.path.getsize(copy) // 2)
        byte = f.read(1)
        f.seek(-1, io.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(EncoderNotFoundError) as refused:
        load_encoder(copy)
    assert "does not match" in str(refused.value)
    assert f"pip install --no-deps --force-reinstall 'resemblyzer=={ENCODER_VERSION}'" in str(
        refused.value
    )
    with pytest.raises(EncoderNotFoundError, match="is missing"):
        load_encoder(tmp_path / "gone.pt")


def test_the_weights_reader_refuses_any_global_but_a_state_dicts() -> None:
    class Payload:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    with pytest.raises(pickle.UnpicklingError, match="refused"):
        read_state_dict(io.BytesIO(pickle.dumps(Payload(), protocol=2)))
