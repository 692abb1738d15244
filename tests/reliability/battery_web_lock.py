"""Web battery, a 45 s table lock under load: gunicorn x3 (8 threads each) + PostgreSQL, no
query cache (every callback reads the warehouse), 20 concurrent clients. Another session
holds ``LOCK TABLE topics IN ACCESS EXCLUSIVE MODE`` for 45 s; the dashboard's sessions
have ``lock_timeout`` 1 s and ``statement_timeout`` 5 s (given in the connection URL, as a
deployment would; warehouse/engine.py may set its own defaults).

Prints, before, during and after the lock: requests by status and the slowest answer
(target: every answer within the statement timeout, 503 with Retry-After where the data
is locked, no other 5xx), the gunicorn workers killed or restarted (target 0), and how
long after the release the first callback succeeded (target: at once).

Run: ``PYTHONPATH=src python -m tests.reliability.battery_web_lock``. Loopback only.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import sys
import time

import psutil
import sqlalchemy as sa

from tests.reliability.web_load import Load, summary
from tests.reliability.web_services import demo_env, demo_postgres, free_port, gunicorn, tracebacks

LOCK_SECONDS = 45.0
STATEMENT_TIMEOUT_MS = 5000
LOCK_TIMEOUT_MS = 1000
BEFORE, AFTER = 8.0, 10.0


def main() -> None:
    options = f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS}"
    with demo_postgres(options) as (url, work):
        # the engine sets its session timeouts from the settings on connect (they override
        # the URL's options): the same short waits through the settings
        env = {
            **demo_env(url, work), "CREDTRENDS_CACHE_TYPE": "null",
            "CREDTRENDS_DB_STATEMENT_TIMEOUT_SECONDS": str(STATEMENT_TIMEOUT_MS / 1000),
            "CREDTRENDS_DB_LOCK_TIMEOUT_SECONDS": str(LOCK_TIMEOUT_MS / 1000),
        }  # fmt: skip
        port = free_port()
        log = work / "gunicorn.log"
        with gunicorn(env, port, workers=3, log=log, threads=8) as master:
            load = Load(port, clients=20)
            load.start()
            t0 = time.monotonic()
            time.sleep(BEFORE)
            workers_before = {p.pid for p in psutil.Process(master.pid).children()}
            plain = sa.make_url(url).difference_update_query(["options"])
            locker = sa.create_engine(plain).connect()
            t1 = time.monotonic()
            locker.execute(sa.text("LOCK TABLE topics IN ACCESS EXCLUSIVE MODE"))
            time.sleep(LOCK_SECONDS)
            locker.commit()
            locker.close()
            t2 = time.monotonic()
            time.sleep(AFTER)
            load.stop()
            t3 = time.monotonic()
            workers_after = {p.pid for p in psutil.Process(master.pid).children()}
        text = log.read_text(errors="replace")
    during = load.between(t1, t2)
    after = load.between(t2, t3)
    print(f"{LOCK_SECONDS:g} s table lock under 20 concurrent clients, gunicorn x3 + "
          f"PostgreSQL (lock_timeout {LOCK_TIMEOUT_MS} ms, "
          f"statement_timeout {STATEMENT_TIMEOUT_MS} ms)")  # fmt: skip
    print("  answers received (by the time they arrived):")
    print(f"  before the lock ({BEFORE:g} s)   {summary(load.between(t0, t1))}")
    print(f"  during the lock ({LOCK_SECONDS:g} s)  {summary(during)}")
    print(f"  after the release ({AFTER:g} s) {summary(after)}")
    limit = STATEMENT_TIMEOUT_MS / 1000
    late = [a for a in during if a.seconds > limit]
    others = [a for a in load.answers if a.status == 0 or (a.status >= 500 and a.status != 503)]
    served_503 = sum(a.status == 503 for a in during)
    first_ok = min((a.started + a.seconds for a in after if a.kind == "callback"
                    and a.status == 200), default=None)  # fmt: skip
    recovery = first_ok - t2 if first_ok is not None else float("inf")
    late_after = [a for a in after if a.status != 200 and a.started > t2]
    killed = len(workers_before - workers_after)
    timeouts = text.count("WORKER TIMEOUT")
    print(f"  answers slower than the statement timeout ({limit:g} s) during the lock: {len(late)}")
    print(f"  503 during the lock: {served_503}; other 5xx or no answer overall: {len(others)}")
    print(f"  workers replaced: {killed} of {len(workers_before)}, 'WORKER TIMEOUT' in the log: "
          f"{timeouts}, tracebacks: {text.count('Traceback')}")  # fmt: skip
    print(f"  first successful callback {recovery:.2f} s after the release; failures of "
          f"requests sent after it: {len(late_after)}")  # fmt: skip
    passed = not late and not others and served_503 > 0 and killed == 0 and timeouts == 0
    passed = passed and recovery < limit and not late_after
    for excerpt in tracebacks(text):
        print(f"  traceback: {excerpt[:600]}")
    print("table lock battery:", "PASS" if passed else "FAIL")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
