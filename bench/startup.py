"""How long the archive takes to start (`manage.py help`, `manage.py check`) and what it imports.

    python bench/startup.py [--runs 5]

Runs `manage.py help` and `manage.py check` --runs times each and prints the median wall time
and the median CPU time (user + system) of the process: on a busy machine the CPU time is the
steadier figure, and on idle cores the wall time is close to it. Then runs
`python -X importtime manage.py check` once and prints the total import time and the slowest
top-level imports, then which of the heavy libraries that only some work needs (the speech
engine, the audio decoder, the Elasticsearch client) `help` and `check` load. (`check` loads
the URLs, and with them the search API, as a web server does.)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("faster_whisper", "ctranslate2", "numpy", "av", "elasticsearch")


def environment() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    if not env.get("DATABASE_URL"):
        env["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='bench-startup-')}/db.sqlite3"
    return env


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def imports(env: dict[str, str], command: str) -> list[tuple[int, int, str]]:
    """(cumulative microseconds, depth, module) for each import of `manage.py <command>`."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "manage.py", command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        depth = len(name) - len(name.lstrip())
        rows.append((int(cumulative), depth, name.strip()))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    env = environment()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {args.runs} runs each")
    for command in ("help", "check"):
        runs = [timed([sys.executable, "manage.py", command], env) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        print(f"manage.py {command:<6} median wall {wall:5.2f} s   median CPU {cpu:5.2f} s")

    rows = imports(env, "check")
    top = sorted((r for r in rows if r[1] == 1), reverse=True)
    print(f"\npython -X importtime manage.py check: {sum(r[0] for r in top) / 1e6:.2f} s")
    for cumulative, _, name in top[:10]:
        print(f"  {cumulative / 1000:6.0f} ms  {name}")
    print()
    for command in ("help", "check"):
        loaded = {name for _, _, name in imports(env, command)}
        print(f"manage.py {command:<6} loads: {', '.join(m for m in HEAVY if m in loaded) or '-'}")


if __name__ == "__main__":
    main()
