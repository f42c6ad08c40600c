"""Where the pairs run: in this process, in local worker processes, or on a Dask cluster.

The executor is a choice made in one place (:func:`choose_executor`); every backend runs the
same function (:func:`trends.pipeline.run.run_chunk`) on the same chunks, and every pair draws
its random numbers from its own seed, so the results do not depend on the backend.

Dask's nanny starts workers with ``MALLOC_TRIM_THRESHOLD_=65536``, which makes glibc map every
temporary array above 128 kB afresh; the change-point search then runs about twice as slowly as
in a plain process. Start the cluster with the variable unset (see
``benchmarks/batch_bench.py``).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from trends.pipeline.progress import Progress

__all__ = ["Executor", "choose_executor", "cpu_count", "one_blas_thread", "run_chunks"]


def cpu_count() -> int:
    """CPUs this process may use.

    Returns
    -------
    int
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def one_blas_thread() -> Any:
    """A context running the models with a single BLAS thread (with ``threadpoolctl``).

    The matrices are small: a second OpenBLAS thread gains nothing but keeps spinning after each
    product, which takes a core from the other workers. It also gives every backend the same BLAS
    setting (Dask workers start with ``OPENBLAS_NUM_THREADS=1``).

    Returns
    -------
    context manager
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - exercised without the extra
        raise ImportError(
            "running on a Dask cluster needs the optional 'distributed' extra: "
            'pip install "trends[distributed]"'
        ) from exc
    return distributed


@dataclass(frozen=True)
class Executor:
    """How to run the chunks.

    Attributes
    ----------
    backend : {"local", "processes", "dask"}
        This process, local worker processes, or a Dask cluster.
    workers : int
        Number of workers (1 for ``"local"``).
    client : object
        The Dask client (or its address) for ``"dask"``.
    mp_context : object
        Start method of local processes.
    """

    backend: str
    workers: int = 1
    client: Any = None
    mp_context: Any = None


def choose_executor(n_jobs: int = 1, client: Any = None, mp_context: Any = None) -> Executor:
    """The executor for ``n_jobs`` local workers (``-1``: all cores) or a Dask ``client``.

    Parameters
    ----------
    n_jobs : int
        Local workers; ignored with ``client``.
    client : dask.distributed.Client or str, optional
        A Dask client or a scheduler address.
    mp_context : str or context, optional
        Start method of local worker processes.

    Returns
    -------
    Executor
    """
    if client is not None:
        workers = 1
        if not isinstance(client, str):
            try:
                info = client.scheduler_info()
                workers = max(
                    1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values())
                )
            except Exception:  # only used to size the chunks
                workers = 1
        return Executor("dask", workers, client=client)
    workers = cpu_count() if n_jobs == -1 else int(n_jobs)
    return Executor("local" if workers <= 1 else "processes", workers, mp_context=mp_context)


def run_chunks(
    fn: Callable[..., list[Any]],
    chunks: Sequence[Any],
    executor: Executor,
    progress: Progress,
    size_of: Callable[[Any], int],
    warm: Callable[[], None] | None = None,
    **kwargs: Any,
) -> list[list[Any]]:
    """Run ``fn(chunk, **kwargs)`` on every chunk; results in the order of the chunks.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled for the workers).
    chunks : sequence
        The chunks.
    executor : Executor
        Where to run.
    progress : Progress
        Advanced by ``size_of(chunk)`` as each chunk completes.
    size_of : callable
        Items in a chunk (for the progress display).
    warm : callable, optional
        Called before local worker processes start (imports for forked workers).
    **kwargs
        Passed to ``fn``.

    Returns
    -------
    list
        ``fn``'s result for each chunk.
    """
    results: list[Any] = [None] * len(chunks)
    if executor.backend == "dask":
        distributed = _distributed()
        client = executor.client
        if isinstance(client, str):
            client = distributed.Client(client)
        futures = client.map(_in_worker, list(chunks), fn=fn, kwargs=kwargs, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in distributed.as_completed(futures):
            i = index[fut.key]
            results[i] = fut.result()
            progress.advance(size_of(chunks[i]))
        return results
    if executor.workers <= 1 or len(chunks) <= 1:
        for i, chunk in enumerate(chunks):
            results[i] = _in_worker(chunk, fn, kwargs)
            progress.advance(size_of(chunk))
        return results
    if warm is not None:
        warm()
    ctx = executor.mp_context
    ctx = multiprocessing.get_context(ctx) if isinstance(ctx, str) else ctx
    workers = min(executor.workers, len(chunks))
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = {pool.submit(_in_worker, chunk, fn, kwargs): i for i, chunk in enumerate(chunks)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i = futures[fut]
                results[i] = fut.result()
                progress.advance(size_of(chunks[i]))
    return results


def _in_worker(chunk: Any, fn: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    with one_blas_thread():
        return fn(chunk, **kwargs)
