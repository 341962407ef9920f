"""Does a big upload grow the server's memory? Streams a WAV file in chunks and watches RSS.

Starts the archive (`manage.py runserver --noreload`, one process) on a throw-away SQLite
database and media folder, signs in, sends SIZE of real WAV audio to the resumable upload
endpoint in CHUNK-sized pieces, asks the server to finish it (decode a probe, rebuild the file
from its decoded sound), and prints the server's resident memory: before, the peak while
receiving, and the peak while finishing.

    .venv/bin/python bench/upload_memory.py            # 1 GiB in 8 MiB chunks
    .venv/bin/python bench/upload_memory.py --size-mb 200 --chunk-mb 8

Needs about twice SIZE of free disk (the partial file and its stripped copy).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1))


class Watcher(threading.Thread):
    """Samples the server's RSS every 50 ms; `peak()` is the highest since the last reset."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self._peak = 0
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.wait(0.05):
            try:
                self._peak = max(self._peak, rss_kib(self.pid))
            except (FileNotFoundError, AttributeError):
                return

    def reset(self) -> None:
        self._peak = rss_kib(self.pid)

    def peak(self) -> int:
        return max(self._peak, rss_kib(self.pid))

    def stop(self) -> None:
        self._stop.set()


def wav_header(data_bytes: int, rate: int = 16_000) -> bytes:
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def tone(n_bytes: int) -> bytes:
    """A quiet 440 Hz tone, 16-bit mono at 16 kHz, `n_bytes` long (even)."""
    period = [int(3000 * math.sin(2 * math.pi * 440 * i / 16_000)) for i in range(16_000)]
    one_second = struct.pack(f"<{len(period)}h", *period)
    reps = n_bytes // len(one_second) + 1
    return (one_second * reps)[:n_bytes]


def run(size: int, chunk: int, workdir: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "archive.settings.base",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "ARCHIVE_PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "ARCHIVE_UPLOAD_CHUNK_BYTES": str(chunk),
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",  # no transcription here
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model;"
            "get_user_model().objects.create_user('bench', password='bench-password')",
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    port = free_port()
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        http = requests.Session()
        for _ in range(100):
            try:
                http.get(base + "/accounts/login/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        token = http.cookies["csrftoken"]
        signed_in = http.post(
            base + "/accounts/login/",
            data={"username": "bench", "password": "bench-password", "csrfmiddlewaretoken": token},
            headers={"Referer": base + "/accounts/login/"},
            allow_redirects=False,
        )
        assert signed_in.status_code == 302, signed_in.text[:500]
        headers = {"X-CSRFToken": http.cookies["csrftoken"], "Referer": base + "/"}
        # Warm the views up, so the baseline includes everything the upload path imports.
        warm = http.post(
            base + "/my-stories/uploads/", json={"name": "w.wav", "size": 1}, headers=headers
        )
        assert warm.status_code == 201, warm.text
        watcher = Watcher(server.pid)
        watcher.start()
        before = rss_kib(server.pid)

        header = wav_header(size - 44)
        body = tone(chunk)
        session = http.post(
            base + "/my-stories/uploads/", json={"name": "long.wav", "size": size}, headers=headers
        ).json()
        url = base + session["url"]
        watcher.reset()
        started = time.perf_counter()
        offset = 0
        while offset < size:
            n = min(chunk, size - offset)
            data = (header + body[: n - len(header)]) if offset == 0 else body[:n]
            answer = http.put(
                url,
                data=data,
                headers={
                    **headers,
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/octet-stream",
                },
            )
            assert answer.status_code == 200, answer.text[:500]
            offset = answer.json()["offset"]
        receive_seconds = time.perf_counter() - started
        receiving_peak = watcher.peak()

        watcher.reset()
        started = time.perf_counter()
        finished = http.post(base + session["finish"], headers=headers)
        finish_seconds = time.perf_counter() - started
        assert finished.status_code == 200, finished.text[:500]
        finishing_peak = watcher.peak()
        watcher.stop()
        high_water = rss_kib(server.pid, "VmHWM")

        mib = size / MIB
        print(f"uploaded {mib:,.0f} MiB in {math.ceil(size / chunk)} chunks of {chunk / MIB:g} MiB")
        print(f"server RSS before upload:        {before / 1024:8.1f} MiB")
        print(
            f"server RSS peak while receiving: {receiving_peak / 1024:8.1f} MiB "
            f"(+{(receiving_peak - before) / 1024:.1f}), {mib / receive_seconds:,.0f} MiB/s"
        )
        print(
            f"server RSS peak while finishing: {finishing_peak / 1024:8.1f} MiB "
            f"(+{(finishing_peak - before) / 1024:.1f}; probe + rebuild took "
            f"{finish_seconds:.1f} s, duration {finished.json()['duration']:,.0f} s of audio)"
        )
        print(f"server VmHWM (peak RSS of the process's whole life): {high_water / 1024:.1f} MiB")
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="MiB to upload (1024)")
    parser.add_argument("--chunk-mb", type=int, default=8, help="MiB per chunk (8)")
    args = parser.parse_args()
    size, chunk = args.size_mb * MIB, args.chunk_mb * MIB
    workdir = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    free = shutil.disk_usage(workdir).free
    if free < 2.2 * size:
        print(f"Needs {2.2 * size / MIB:,.0f} MiB free in {workdir}; {free / MIB:,.0f} MiB free.")
        return 1
    try:
        run(size, chunk, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
