"""The embedded default set-up (SQLite, local media, database search) works with no server.

The rest of the suite runs on PostgreSQL; this runs the archive's own commands in a fresh
process on a throwaway SQLite database, the way `make run` does.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import django
django.setup()
from django.test import Client
from stories.models import Story, Value
from stories.visibility import PUBLIC_AUDIENCE
client = Client()
print("home", client.get("/").status_code)
print("admin-login", client.get("/admin/login/").status_code)
print("values", Value.objects.count())
print("public-stories", Story.objects.visible_to(PUBLIC_AUDIENCE).count())
print("all-stories", Story.objects.count())
"""


def run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.slow
def test_sqlite_setup_migrates_loads_demo_twice_and_serves_pages(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings.base",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'embedded.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SEARCH_BACKEND": "database",
        "ELASTICSEARCH_URL": "",
    }
    run(["manage.py", "migrate", "--no-input", "-v0"], env)
    run(["manage.py", "load_demo"], env)
    second = run(["manage.py", "load_demo"], env)
    assert "Demo content is ready" in second
    run(["manage.py", "check"], env)
    out = dict(line.split(" ", 1) for line in run(["-c", PROBE], env).splitlines() if " " in line)
    assert out["home"] == "200"
    assert out["admin-login"] == "200"
    assert out["values"] == "18"
    public, total = int(out["public-stories"]), int(out["all-stories"])
    assert 0 < public < total, "demo content has public and non-public stories, loaded once"


def test_migrations_match_the_models():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "archive.settings.base"}
    run(["manage.py", "makemigrations", "--check", "--dry-run"], env)


def test_production_settings_pass_the_deploy_checks(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "archive.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }
    out = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert "no issues" in out


@pytest.mark.slow
def test_production_collects_its_static_files_with_hashed_names(tmp_path):
    """WhiteNoise's manifest storage follows every file a stylesheet or script names (the chart
    library names its source maps): one it cannot find stops `collectstatic`, and the deploy."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "archive.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    run(["manage.py", "collectstatic", "--no-input", "--verbosity", "0"], env)
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert '"vendor/vega-lite.min.js"' in manifest
    assert '"vendor/vega-embed.min.js"' in manifest
