"""Run the web server and the background worker together; Ctrl-C stops both."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args = parser.parse_args()
    python = sys.executable
    processes = [
        subprocess.Popen(
            [python, "manage.py", "runserver", f"{args.host}:{args.port}", "--noreload"]
        ),
        subprocess.Popen([python, "manage.py", "archive_worker"]),
    ]
    print(
        f"\nThe archive is at http://{args.host}:{args.port}/ (admin: /admin/). Ctrl-C stops it.\n"
    )
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for p in processes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in processes)


if __name__ == "__main__":
    sys.exit(main())
