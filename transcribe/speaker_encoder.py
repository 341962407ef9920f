"""A speaker's voice as 256 numbers: Resemblyzer's encoder, run with numpy alone.

The ``Resemblyzer`` package (pinned, installed without its dependencies: no torch) carries a
17 MB state dict of a speaker encoder trained on thousands of voices: a 3-layer LSTM (hidden
256) over 40 mel bands, a linear layer to 256 numbers, ReLU, unit length. Two stretches of
speech by the same voice give embeddings close in cosine; different voices, further apart.

The weights file is a legacy torch pickle. It is read here by a restricted unpickler that
knows only the three globals such a state dict needs and refuses every other one, so the file
cannot run code; and, like the Whisper weights (``transcribe.weights``), it is checked against
the size and SHA-256 of the pinned version first.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.metadata
import pickle
import struct
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from transcribe.weights import ModelIntegrityError, file_matches

Array = npt.NDArray[np.float32]

ENCODER_PACKAGE = "Resemblyzer"
ENCODER_VERSION = "0.1.4"
ENCODER_FILE = "resemblyzer/pretrained.pt"
ENCODER_SIZE = 17_090_379
ENCODER_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"

# The encoder's preprocessing (resemblyzer/hparams.py and audio.py).
SAMPLE_RATE = 16_000
N_FFT = 400  # 25 ms window
HOP = 160  # 10 ms step
N_MELS = 40
FRAMES_PER_SECOND = SAMPLE_RATE // HOP
HIDDEN = 256
LAYERS = 3
MEL_BLOCK = 6000  # frames computed at once
TARGET_DBFS = -30.0  # quiet recordings are raised to this loudness, never lowered

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_STORAGE_TYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}


class EncoderNotFoundError(ModelIntegrityError):
    """The speaker encoder's weights are missing or differ from the pinned package's file."""


# ---------------------------------------------------------------------------- weights file


@dataclass
class _TensorRef:
    """A tensor as the pickle describes it; filled from its storage once the data is read."""

    key: str
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor_v2(
    storage: tuple[str, str], offset: int, shape: tuple[int, ...], stride: tuple[int, ...], *_: Any
) -> _TensorRef:
    return _TensorRef(storage[1], int(offset), tuple(shape), tuple(stride))


class _StateDictUnpickler(pickle.Unpickler):
    """Knows a state dict's three globals and nothing else: any other global is refused."""

    def __init__(self, f: IO[bytes]) -> None:
        super().__init__(f)
        self.kinds: dict[str, str] = {}  # storage key → storage type, as met

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in _STORAGE_TYPES:
            return name
        raise pickle.UnpicklingError(f"the weights file asks for {module}.{name}: refused")

    def persistent_load(self, pid: Any) -> tuple[str, str]:
        # ('storage', storage type, key, location, size, view): the data follows the pickles.
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError("unknown persistent object in the weights file")
        kind, key = pid[1], str(pid[2])
        if kind not in _STORAGE_TYPES:
            raise pickle.UnpicklingError(f"unknown storage type {kind!r}")
        self.kinds[key] = kind
        return (kind, key)


def read_state_dict(f: IO[bytes]) -> dict[str, Any]:
    """Read a torch file of the legacy (pre-1.6, not zip) format into numpy arrays."""
    if _StateDictUnpickler(f).load() != _LEGACY_MAGIC:
        raise pickle.UnpicklingError("not a legacy torch file")
    _StateDictUnpickler(f).load()  # protocol version
    _StateDictUnpickler(f).load()  # sizes of C types
    unpickler = _StateDictUnpickler(f)
    checkpoint = unpickler.load()
    kinds = unpickler.kinds
    keys = _StateDictUnpickler(f).load()
    storages: dict[str, npt.NDArray[Any]] = {}
    for key in keys:
        dtype = np.dtype(_STORAGE_TYPES[kinds[str(key)]]).newbyteorder("<")
        (count,) = struct.unpack("<q", f.read(8))
        storages[str(key)] = np.frombuffer(f.read(count * dtype.itemsize), dtype=dtype)

    def build(value: Any) -> Any:
        if isinstance(value, _TensorRef):
            data = storages[value.key]
            itemsize = data.dtype.itemsize
            return np.lib.stride_tricks.as_strided(
                data[value.offset :],
                shape=value.shape,
                strides=tuple(s * itemsize for s in value.stride),
            ).astype(np.float32)
        if isinstance(value, dict):
            return {k: build(v) for k, v in value.items()}
        return value

    result = build(checkpoint)
    if not isinstance(result, dict):
        raise pickle.UnpicklingError("the weights file holds no dictionary")
    return result


def weights_path() -> Path:
    try:
        dist = importlib.metadata.distribution(ENCODER_PACKAGE)
    except importlib.metadata.PackageNotFoundError as exc:
        raise EncoderNotFoundError(
            f"Finding speakers needs the {ENCODER_PACKAGE!r} package, which is not installed: "
            f"pip install --no-deps '{ENCODER_PACKAGE.lower()}=={ENCODER_VERSION}' (no torch "
            "needed), or set TRANSCRIBE_DIARIZE=0."
        ) from exc
    return Path(str(dist.locate_file(ENCODER_FILE)))


def verify_weights(path: Path) -> None:
    """Refuse a weights file that is not the pinned package's (changed, damaged, missing)."""
    if not file_matches(path, ENCODER_SIZE, ENCODER_SHA256):
        state = "is missing" if not path.is_file() else "does not match"
        raise EncoderNotFoundError(
            f"The speaker encoder's weight file {path.name} {state} the known file of "
            f"{ENCODER_PACKAGE} {ENCODER_VERSION}: it may have been changed or damaged, so it is "
            f"not used. Reinstall it with pip install --no-deps --force-reinstall "
            f"'{ENCODER_PACKAGE.lower()}=={ENCODER_VERSION}'."
        )


# ------------------------------------------------------------------------------ the encoder


def _hz_to_mel(hz: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The Slaney mel scale (librosa's default): linear below 1 kHz, logarithmic above."""
    linear = hz / (200.0 / 3)
    log = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log, linear)


def _mel_to_hz(mel: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    linear = mel * (200.0 / 3)
    log = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log, linear)


@functools.cache
def mel_filters() -> Array:
    """40 triangular, area-normalised (Slaney) filters over 0 to 8 kHz, as librosa makes them."""
    fft_freqs = np.linspace(0, SAMPLE_RATE / 2, 1 + N_FFT // 2)
    edges = _mel_to_hz(np.linspace(0.0, _hz_to_mel(np.array(SAMPLE_RATE / 2.0)), N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return weights.astype(np.float32)


def mel_frames(samples: Array) -> Array:
    """The power mel spectrogram (not log) of 16 kHz audio: (frames, 40), 100 frames a second."""
    samples = np.asarray(samples, dtype=np.float32)
    edge = N_FFT // 2
    if len(samples) > edge:
        padded = np.pad(samples, edge, mode="reflect")
    else:
        padded = np.pad(samples, edge, mode="constant")
    count = 1 + (len(padded) - N_FFT) // HOP
    if count <= 0:
        return np.zeros((0, N_MELS), dtype=np.float32)
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)  # periodic Hann
    out = np.empty((count, N_MELS), dtype=np.float32)
    for first in range(0, count, MEL_BLOCK):  # a minute at a time: an hour needs no gigabyte
        frames = np.arange(first, min(count, first + MEL_BLOCK))
        index = np.arange(N_FFT)[None, :] + HOP * frames[:, None]
        power = np.abs(np.fft.rfft(padded[index] * window, axis=1)) ** 2
        out[frames] = power.astype(np.float32) @ mel_filters().T
    return out


def normalise_volume(samples: Array) -> Array:
    """Raise quiet audio to the loudness the encoder was trained on (never lower it)."""
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) if len(samples) else 0.0
    if rms <= 1e-9:
        return samples
    change = TARGET_DBFS - 20.0 * np.log10(rms)
    return samples * np.float32(10 ** (change / 20.0)) if change > 0 else samples


def _sigmoid(x: Array) -> Array:
    out: Array = 0.5 * (1.0 + np.tanh(0.5 * x))  # no overflow for large |x|
    return out


@functools.cache
def _openblas() -> ctypes.CDLL | None:
    """numpy's own OpenBLAS, if it is the one numpy wheels bundle (else None)."""
    libs = Path(np.__file__).resolve().parent.parent / "numpy.libs"
    for path in sorted(libs.glob("libscipy_openblas*.so*")):
        try:
            lib = ctypes.CDLL(str(path))  # already loaded by numpy: the same library
        except OSError:
            continue
        if hasattr(lib, "openblas_set_num_threads_local"):
            return lib
    return None


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Matrix products on this thread use one core while inside.

    The LSTM makes hundreds of small products per window; OpenBLAS spreads each over every core
    and spins between them, which on two cores took five times the CPU (and more wall time)
    than one thread. Only the calling thread is affected.
    """
    lib = _openblas()
    if lib is None:
        yield
        return
    previous = int(lib.openblas_set_num_threads_local(1))
    try:
        yield
    finally:
        lib.openblas_set_num_threads_local(previous)


class SpeakerEncoder:
    """Embeds fixed-length windows of mel frames, a whole batch at once."""

    def __init__(self, state: dict[str, Array]) -> None:
        # torch orders the gates input, forget, cell, output; here the three sigmoid gates come
        # first, so one call computes them all.
        order = np.concatenate([np.arange(0, 512), np.arange(768, 1024), np.arange(512, 768)])
        self.layers = [
            (
                np.ascontiguousarray(state[f"lstm.weight_ih_l{n}"][order].T),
                np.ascontiguousarray(state[f"lstm.weight_hh_l{n}"][order].T),
                (state[f"lstm.bias_ih_l{n}"] + state[f"lstm.bias_hh_l{n}"])[order],
            )
            for n in range(LAYERS)
        ]
        self.linear_w = np.ascontiguousarray(state["linear.weight"].T)
        self.linear_b = state["linear.bias"]

    def embed(self, mels: Array) -> Array:
        """(batch, frames, 40) mel windows → (batch, 256) unit-length embeddings."""
        with one_blas_thread():
            return self._embed(mels)

    def _embed(self, mels: Array) -> Array:
        batch, frames, _ = mels.shape
        x = mels.astype(np.float32)
        hidden = np.zeros((batch, HIDDEN), dtype=np.float32)
        for w_ih, w_hh, bias in self.layers:
            # The input side of every step at once; only the recurrence is step by step.
            inputs = (x.reshape(batch * frames, -1) @ w_ih + bias).reshape(batch, frames, -1)
            hidden = np.zeros((batch, HIDDEN), dtype=np.float32)
            cell = np.zeros((batch, HIDDEN), dtype=np.float32)
            outputs = np.empty((batch, frames, HIDDEN), dtype=np.float32)
            gates = np.empty((batch, 4 * HIDDEN), dtype=np.float32)
            for t in range(frames):
                np.matmul(hidden, w_hh, out=gates)
                gates += inputs[:, t]
                sig = _sigmoid(gates[:, : 3 * HIDDEN])
                i, f, o = sig[:, :HIDDEN], sig[:, HIDDEN : 2 * HIDDEN], sig[:, 2 * HIDDEN :]
                cell = f * cell + i * np.tanh(gates[:, 3 * HIDDEN :])
                hidden = o * np.tanh(cell)
                outputs[:, t] = hidden
            x = outputs
        raw = np.maximum(hidden @ self.linear_w + self.linear_b, 0.0)
        norms = np.linalg.norm(raw, axis=1, keepdims=True)
        out: Array = (raw / np.maximum(norms, 1e-9)).astype(np.float32)
        return out


@functools.cache
def _load(path: Path) -> SpeakerEncoder:
    with open(path, "rb") as f:
        checkpoint = read_state_dict(f)
    return SpeakerEncoder(checkpoint["model_state"])


def load_encoder(path: Path | None = None) -> SpeakerEncoder:
    """The encoder, its weights checked first; loaded once per process and file."""
    path = path or weights_path()
    verify_weights(path)
    return _load(path)
