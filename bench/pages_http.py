"""bench/pages.py --http: the public pages through the real server (gunicorn), over HTTP.

Run through bench/pages.py (its docstring says what is measured).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
SIGNIN_USER = "bench-signin"
SIGNIN_PASSWORD = "a bench pass phrase"  # noqa: S105


@dataclass
class Figures:
    rate: float  # requests per second
    median_ms: float
    p95_ms: float
    requests: int
    hits: int  # answered from the page cache


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.connect()
        # gunicorn's sync workers close every connection, so the client opens one a request:
        # closing it with a reset keeps tens of thousands of closed connections from waiting
        # out TIME_WAIT on loopback, where they would stall new ones for a second or more.
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def load(port: int, paths: list[str], *, seconds: float, clients: int) -> Figures:
    """`clients` threads request `paths` in turn for `seconds`; every answer must be 200."""
    timings: list[float] = []
    hits: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client(offset: int) -> None:
        mine: list[float] = []
        kept = 0
        n = offset
        while time.perf_counter() < deadline:
            path = paths[n % len(paths)]
            n += 1
            t0 = time.perf_counter()
            status, headers, _ = get(port, path)
            mine.append(time.perf_counter() - t0)
            kept += headers.get("X-Archive-Cache") == "hit"
            if status != 200:
                failures.append(f"{path}: {status}")
                break
        with lock:
            timings.extend(mine)
            hits.append(kept)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i * 7,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"requests failed: {failures[:3]}")
    timings.sort()
    return Figures(
        rate=len(timings) / elapsed,
        median_ms=statistics.median(timings) * 1000,
        p95_ms=timings[max(0, int(len(timings) * 0.95) - 1)] * 1000,
        requests=len(timings),
        hits=sum(hits),
    )


def sign_in_once(port: int) -> float:
    """GET the form (for its CSRF cookie and token), then time the POST that signs in."""
    status, headers, body = get(port, "/accounts/login/")
    assert status == 200, status
    cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert cookie and token, "the sign-in form has no CSRF cookie or token"
    form = urlencode(
        {
            "username": SIGNIN_USER,
            "password": SIGNIN_PASSWORD,
            "csrfmiddlewaretoken": token.group(1).decode(),
        }
    )
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        t0 = time.perf_counter()
        conn.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookie.group(1)}",
            },
        )
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - t0
    finally:
        conn.close()
    assert response.status == 302, f"signing in answered {response.status}"
    return elapsed


class Server:
    """gunicorn with gunicorn.conf.py and the production settings, on a free port."""

    def __init__(self, env: dict[str, str], *, page_cache: bool) -> None:
        self.port = free_port()
        self.env = {
            **env,
            "PORT": str(self.port),
            "HOST": HOST,
            "ARCHIVE_PAGE_CACHE_SECONDS": "600" if page_cache else "0",
        }

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "archive.wsgi"],
            cwd=ROOT,
            env=self.env,
        )
        for _ in range(600):
            try:
                if get(self.port, "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit("gunicorn stopped while starting; see its log above")
            time.sleep(0.1)
        raise SystemExit("gunicorn did not answer /healthz within a minute")

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def server_env(folder: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="archive.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on this machine, no TLS proxy
        STATIC_ROOT=f"{folder}/static",
        ARCHIVE_PAGE_CACHE_LOCATION=f"{folder}/page-cache",
        WEB_ACCESS_LOG="",  # the server's work, not its log's
        LOG_LEVEL="WARNING",
    )
    return env


def main(args) -> None:
    from bench.django_setup import configure
    from bench.pages import SEED_PROJECT, analyze, seed

    where = configure("pages")
    seed(args.stories)
    analyze()
    from django.core.management import call_command

    # Index the seeded stories as the worker would; it keeps the related stories pages show.
    call_command("search_reindex", verbosity=0)

    from django.contrib.auth import get_user_model

    from public import links
    from stories.models import CollectionPage, Story
    from stories.visibility import PUBLIC_AUDIENCE

    user, _ = get_user_model().objects.get_or_create(username=SIGNIN_USER)
    user.set_password(SIGNIN_PASSWORD)  # with the archive's first hasher: Argon2
    user.save()
    public = Story.objects.visible_to(PUBLIC_AUDIENCE)
    stories = [links.story_url(s) for s in public.order_by("?")[:60]]
    collection = CollectionPage.objects.live().get(slug=SEED_PROJECT).url

    folder = tempfile.mkdtemp(prefix="bench-pages-http-")
    env = server_env(folder)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    workers = env.get("WEB_CONCURRENCY", f"{os.cpu_count() or 1} cores x 2 + 1")
    print(
        f"database: {where}; public stories: {public.count()}; gunicorn workers: {workers}; "
        f"{args.clients} clients, {args.seconds:g} s a measurement"
    )

    pages = {"story": stories, "home": ["/"], "collection": [collection]}
    results: dict[str, Figures] = {}
    signins: list[float] = []
    for cached in (True, False):
        mode = "cached" if cached else "uncached"
        with Server(env, page_cache=cached) as server:
            # Warm: templates compiled, pages kept. The first view of a picture records its
            # size (a saved image, which makes every kept page stale), so the pages are kept
            # again in a second round, and the third must be answered from the cache.
            for round in range(3 if cached else 1):
                for paths in pages.values():
                    for path in paths:
                        status, headers, _ = get(server.port, path)
                        assert status == 200, path
                        if cached and round == 2:
                            assert headers.get("X-Archive-Cache") == "hit", path
            results[f"floor /healthz ({mode} run)"] = load(
                server.port, ["/healthz"], seconds=args.seconds, clients=args.clients
            )
            for name, paths in pages.items():
                results[f"{name} {mode}"] = load(
                    server.port, paths, seconds=args.seconds, clients=args.clients
                )
            if not cached:
                signins = [sign_in_once(server.port) for _ in range(10)]

    floor = results["floor /healthz (cached run)"].rate
    print(f"\n{'':<30} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} {'of floor':>9} {'kept':>6}")
    for name, figures in results.items():
        print(
            f"{name:<30} {figures.rate:8.1f} {figures.median_ms:10.1f} {figures.p95_ms:8.1f}"
            f" {figures.rate / floor:9.2f} {figures.hits / figures.requests:6.0%}"
        )
    print()
    for name in pages:
        cached, uncached = results[f"{name} cached"], results[f"{name} uncached"]
        print(f"{name}: cached / uncached = {cached.rate / uncached.rate:.1f}x requests/s")
    signins.sort()
    print(
        f"sign-in (POST /accounts/login/, Argon2, uncached server): "
        f"median {statistics.median(signins) * 1000:.0f} ms, "
        f"slowest {signins[-1] * 1000:.0f} ms of {len(signins)}"
    )
    print("checking one password, in this process, median of 5:", end="")
    for hasher in ("argon2", "pbkdf2_sha256"):
        print(f"  {hasher} {password_check_ms(hasher):.0f} ms", end="")
    print()


def password_check_ms(hasher: str) -> float:
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password(SIGNIN_PASSWORD, hasher=hasher)
    timings = []
    for _ in range(5):
        t0 = time.perf_counter()
        assert check_password(SIGNIN_PASSWORD, encoded)
        timings.append(time.perf_counter() - t0)
    return statistics.median(timings) * 1000
