"""Run a function over a stream of chunks: inline, in local processes, or on a Dask cluster.

A forecast run is a map over independent chunks of series. Whoever runs the chunks, the
caller sees the same thing: an iterator of results *in input order*, with at most a few
chunks in flight at once, so memory is bounded by the chunk size and not by the number
of series. Inputs are read lazily from the caller's iterator, only as a slot frees up.

- ``n_jobs == 1`` and no scheduler: each chunk in this process, one after the other.
- ``n_jobs > 1``: a pool of spawned local processes (forking a process that runs polars
  threads can deadlock), kept for the whole run.
- ``scheduler`` (``tcp://host:8786``): a ``dask.distributed`` client sends each chunk to
  that cluster; the workers need credtrends installed (the same version).
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

In = TypeVar("In")
Out = TypeVar("Out")
Out_co = TypeVar("Out_co", covariant=True)

#: Chunks in flight per worker: one running, one queued, so no worker waits for input.
IN_FLIGHT_PER_WORKER = 2


class _Pending(Protocol[Out_co]):
    def result(self) -> Out_co: ...


def _ordered(
    submit: Callable[[In], _Pending[Out]], inputs: Iterable[In], window: int
) -> Iterator[Out]:
    """Submit lazily, keep ``window`` pending, yield results in submission order."""
    pending: deque[_Pending[Out]] = deque()
    source = iter(inputs)
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            try:
                item = next(source)
            except StopIteration:
                exhausted = True
                break
            pending.append(submit(item))
        if not pending:
            return
        yield pending.popleft().result()


def run_inline(function: Callable[[In], Out], inputs: Iterable[In]) -> Iterator[Out]:
    """One chunk after the other in this process: the default and the reference."""
    for item in inputs:
        yield function(item)


def run_in_processes(
    function: Callable[[In], Out], inputs: Iterable[In], n_jobs: int
) -> Iterator[Out]:
    """Chunks in ``n_jobs`` spawned local processes (``function`` must be importable)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n_jobs, mp_context=context) as pool:

        def submit(item: In) -> Future[Out]:
            return pool.submit(function, item)

        yield from _ordered(submit, inputs, IN_FLIGHT_PER_WORKER * n_jobs)


def run_on_dask(
    function: Callable[[In], Out], inputs: Iterable[In], scheduler: str
) -> Iterator[Out]:
    """Chunks on the ``dask.distributed`` cluster whose scheduler is at ``scheduler``.

    Each input is scattered to the cluster first (a chunk is megabytes: too big to travel
    inside the task itself), then the task runs where the data landed. Tasks are pure
    (``pure=False`` only so that two equal chunks are still both computed and returned).
    """
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - the extra is installed in development
        raise RuntimeError(
            "a Dask scheduler is configured but dask.distributed is not installed: "
            "pip install 'credtrends[dask]'"
        ) from exc

    with Client(scheduler, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        workers = max(1, len(client.scheduler_info().get("workers", {})))

        def submit(item: In) -> Any:
            data = client.scatter(item, hash=False)
            return client.submit(function, data, pure=False)

        yield from _ordered(submit, inputs, IN_FLIGHT_PER_WORKER * workers)


def run_chunks(
    function: Callable[[In], Out],
    inputs: Iterable[In],
    *,
    n_jobs: int = 1,
    scheduler: str | None = None,
) -> Iterator[Out]:
    """Results of ``function`` over ``inputs`` in order, on the runner the arguments name."""
    if scheduler:
        return run_on_dask(function, inputs, scheduler)
    if n_jobs > 1:
        return run_in_processes(function, inputs, n_jobs)
    return run_inline(function, inputs)
