"""Run every ``tests/reliability/battery_*.py`` in name order and print their figures.

``make reliability`` calls this. Each battery is a separate process (loopback only:
SQLite files, the local PostgreSQL, local fake servers), bounded in time; the exit code
is non-zero if any battery failed to run to its end. Add a battery by adding a file
``battery_<NN>_<what>.py`` with a ``main()`` that prints its figures.

Run: ``PYTHONPATH=src python -m tests.reliability.run_battery [name-part ...]``.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
TIME_LIMIT_SECONDS = 1800


def main() -> None:
    wanted = sys.argv[1:]
    batteries = sorted(HERE.glob("battery_*.py"))
    if wanted:
        batteries = [b for b in batteries if any(part in b.stem for part in wanted)]
    failed = []
    for battery in batteries:
        module = f"tests.reliability.{battery.stem}"
        print(f"== {module}", flush=True)
        started = time.monotonic()
        try:
            code = subprocess.run([sys.executable, "-m", module], timeout=TIME_LIMIT_SECONDS,
                                  check=False).returncode  # fmt: skip
        except subprocess.TimeoutExpired:
            code = -1
            print(f"   stopped: longer than {TIME_LIMIT_SECONDS} s")
        print(f"   ({time.monotonic() - started:.0f} s, exit {code})", flush=True)
        if code != 0:
            failed.append(module)
    if failed:
        print(f"batteries that did not finish: {', '.join(failed)}")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
