"""Web battery, Redis outage: gunicorn x3 + PostgreSQL with its query cache in a Redis of
the battery's own (never the shared one), 20 concurrent clients; Redis is stopped for 20 s
and started again. Prints requests and 5xx before, during and after the outage (target:
0 5xx), the outage log lines per worker (once per outage) and whether caching resumed.

Run: ``PYTHONPATH=src python -m tests.reliability.battery_web_redis``. Loopback only.
Exits 1 when a target is missed.
"""

from __future__ import annotations

import sys
import time

import redis

from tests.reliability.web_load import Load, summary
from tests.reliability.web_services import (
    RedisServer,
    demo_env,
    demo_postgres,
    free_port,
    gunicorn,
    tracebacks,
)

WARM, OUTAGE, AFTER = 10.0, 20.0, 15.0


def main() -> None:
    with RedisServer() as cache, demo_postgres() as (url, work):
        env = {
            **demo_env(url, work),
            "CREDTRENDS_CACHE_TYPE": "redis",
            "CREDTRENDS_CACHE_REDIS_URL": cache.url,
        }
        port = free_port()
        log = work / "gunicorn.log"
        with gunicorn(env, port, workers=3, log=log):
            load = Load(port, clients=20)
            load.start()
            t0 = time.monotonic()
            time.sleep(WARM)
            keys_before = len(redis.Redis.from_url(cache.url).keys("*"))
            cache.stop()
            t1 = time.monotonic()
            time.sleep(OUTAGE)
            cache.start()
            t2 = time.monotonic()
            time.sleep(AFTER)
            load.stop()
            t3 = time.monotonic()
            keys_after = len(redis.Redis.from_url(cache.url).keys("*"))
        text = log.read_text(errors="replace")
    phases = {
        f"Redis up ({WARM:g} s)": load.between(t0, t1),
        f"Redis stopped ({OUTAGE:g} s)": load.between(t1, t2),
        f"Redis back ({AFTER:g} s)": load.between(t2, t3),
    }
    print("Redis outage under 20 concurrent clients, gunicorn x3 + PostgreSQL")
    for name, answers in phases.items():
        print(f"  {name:<22} {summary(answers)}")
    fives = sum(a.status >= 500 or a.status == 0 for a in load.answers)
    down_lines = text.count("dashboard cache unavailable")
    back_lines = text.count("dashboard cache is back")
    traceback_count = text.count("Traceback")
    print(f"  5xx or no answer in all phases: {fives} (target 0)")
    print(f"  log: 'cache unavailable' {down_lines} times, 'cache is back' {back_lines} times "
          f"(3 workers: at most once each per outage), tracebacks: {traceback_count}")  # fmt: skip
    print(f"  Redis keys: {keys_before} before the outage, {keys_after} written after it")
    passed = fives == 0 and 1 <= down_lines <= 3 and back_lines == down_lines
    passed = passed and keys_after > 0 and traceback_count == 0
    for excerpt in tracebacks(text):
        print(f"  traceback: {excerpt[:600]}")
    print("Redis outage battery:", "PASS" if passed else "FAIL")
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
