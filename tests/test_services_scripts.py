"""The service scripts that `make test` uses: they answer with what they promise.

These talk to the running services (start them with `scripts/postgres.sh start` and
`scripts/elasticsearch.sh start`, or run `make test`). Indexing and querying through
`elasticsearch.dsl` is tested with the search code, not here.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from elasticsearch import Elasticsearch

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPTS / name), *args], capture_output=True, text=True, timeout=60, check=False
    )


def require_running(name: str) -> None:
    result = run_script(name, "status")
    assert result.returncode == 0, (
        f"{name} reports the service is not running: start it with `scripts/{name} start` "
        f"(or run `make test`).\n{result.stdout}{result.stderr}"
    )


def test_postgres_url_is_the_documented_one() -> None:
    port = os.environ.get("ARCHIVE_PG_PORT", "5432")
    result = run_script("postgres.sh", "url")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"postgres://archive:archive@127.0.0.1:{port}/archive"


@pytest.mark.postgres  # the running PostgreSQL itself
def test_archive_role_connects_and_can_create_a_database() -> None:
    require_running("postgres.sh")
    url = run_script("postgres.sh", "url").stdout.strip()
    name = f"test_services_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT current_user, current_database()").fetchone() == (
            "archive",
            "archive",
        )
        conn.execute(f'CREATE DATABASE "{name}"')
        try:
            exists = conn.execute(
                "SELECT count(*) FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            assert exists == (1,)
        finally:
            conn.execute(f'DROP DATABASE "{name}"')


def test_elasticsearch_url_is_the_documented_one() -> None:
    port = os.environ.get("ES_PORT", "9200")
    result = run_script("elasticsearch.sh", "url")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"http://127.0.0.1:{port}"


@pytest.mark.elasticsearch
def test_elasticsearch_node_is_a_healthy_single_node_9x_without_disk_watermarks() -> None:
    require_running("elasticsearch.sh")
    url = run_script("elasticsearch.sh", "url").stdout.strip()
    # The integ-test distribution has no rest-root module: GET / (info, ping) answers 405,
    # so ask the cluster and node APIs instead.
    es = Elasticsearch(url, request_timeout=10)
    health = es.cluster.health(wait_for_status="yellow", timeout="10s")
    assert health["status"] in {"green", "yellow"}
    assert health["number_of_nodes"] == 1
    nodes = es.nodes.info(metric="settings")["nodes"]
    (node,) = nodes.values()
    assert node["version"].startswith("9.")
    settings = node["settings"]
    assert settings["discovery"]["type"] == "single-node"
    assert settings["cluster"]["routing"]["allocation"]["disk"]["threshold_enabled"] == "false"
