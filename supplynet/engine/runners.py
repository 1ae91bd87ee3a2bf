"""Running a set of scenarios: on this machine's cores, or on a Dask distributed cluster.

The scenarios are cut into tasks of whole blocks (:data:`supplynet.engine.scenarios.BLOCK`
scenarios each). A task draws or enumerates its own scenarios by index
(:class:`~supplynet.engine.draws.ScenarioSet`) and solves them
(:func:`~supplynet.engine.scenarios.run_blocks`); the runner keeps each scenario's value
by index and adds the blocks' sums in block order, one block after the other. So the
figures are bit-identical whatever ran them: one thread or many, this machine or a
cluster of any size, tasks of any size.

Locally the blocks of a task run on numba's threads (every core by default). With a
scheduler address the tasks go to an existing ``dask.distributed`` cluster, each on one
thread of a worker; the network and the scenario set are sent to every worker once, as
plain arrays. ``dask[distributed]`` is an optional dependency
(``pip install 'supplynet[distributed]'``), imported only when a scheduler is given.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from supplynet._errors import AnalysisError
from supplynet._progress import Progress
from supplynet.engine.draws import ScenarioSet
from supplynet.engine.scenarios import BLOCK, BlockSums, ScenarioNet, run_blocks

__all__ = ["SCHEDULER_TIMEOUT", "Totals", "check_workers", "connect", "run_plans", "run_scenarios", "run_task"]

logger = logging.getLogger(__name__)

#: Seconds to wait for a Dask scheduler to answer.
SCHEDULER_TIMEOUT = 10.0
#: Blocks per task on this machine: enough for every thread, small enough for progress.
_LOCAL_TASK = 16
#: Tasks per Dask worker, at least: a slow worker then holds up little.
_TASKS_PER_WORKER = 4


@dataclass(frozen=True)
class Totals:
    """What a run found, in capacity units.

    Attributes
    ----------
    values : numpy.ndarray
        Maximum flow of each scenario (``inf`` where unbounded).
    weight : numpy.ndarray
        Weight of each scenario (1 sampled; the probability enumerated).
    cut : numpy.ndarray
        Per element, the weight of the scenarios where it lies in some minimum cut
        (empty when cuts were not asked for).
    loss, loss_sq : numpy.ndarray
        Per flip group, the weighted sum of its flow loss and of its square.
    """

    values: np.ndarray
    weight: np.ndarray
    cut: np.ndarray
    loss: np.ndarray
    loss_sq: np.ndarray


def check_workers(workers: int | None) -> int | None:
    """Return ``workers`` if this machine can run that many threads; raise AnalysisError otherwise."""
    if workers is None:
        return None
    most = numba.config.NUMBA_NUM_THREADS
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or not 1 <= workers <= most:
        raise AnalysisError(f"workers must be a whole number from 1 to {most} (the cores numba may use); "
                            f"got {workers!r}")
    return int(workers)


def run_task(net: ScenarioNet, scenarios: ScenarioSet, plans: Sequence[np.ndarray | None],
             flips: tuple[np.ndarray, np.ndarray] | None, cuts: bool, start: int, stop: int,
             threads: int | None) -> tuple[int, list[BlockSums]]:
    """Return ``(start, sums per plan)`` of scenarios ``start .. stop - 1``: one task, a pure
    function of its arguments. The scenarios are drawn once and shared by every plan."""
    outcomes = scenarios.outcomes(start, stop, strikes=any(s is not None and s.any() for s in plans))
    out = []
    for struck in plans:
        ptr, absent = outcomes.absent(struck)
        out.append(run_blocks(net, ptr, absent, outcomes.weight, flips=flips, cuts=cuts, threads=threads))
    return start, out


def _ranges(count: int, blocks_per_task: int) -> list[tuple[int, int]]:
    size = BLOCK * max(1, blocks_per_task)
    return [(a, min(count, a + size)) for a in range(0, count, size)]


class _Folder:
    """Adds task results in scenario order, whatever order they arrive in."""

    def __init__(self, net: ScenarioNet, count: int, n_flip: int, cuts: bool) -> None:
        self.values = np.zeros(count, np.int64)
        self.cut = np.zeros(net.n_elements if cuts else 0)
        self.loss, self.loss_sq = np.zeros(n_flip), np.zeros(n_flip)
        self._waiting: dict[int, BlockSums] = {}
        self._next = 0

    def add(self, start: int, sums: BlockSums) -> None:
        self._waiting[start] = sums
        while self._next in self._waiting:
            sums = self._waiting.pop(self._next)
            self.values[self._next:self._next + len(sums.values)] = sums.values
            for b in range(len(sums.loss)):  # one block after the other: the sums' order is fixed
                if len(self.cut):
                    self.cut += sums.cut[b]
                self.loss += sums.loss[b]
                self.loss_sq += sums.loss_sq[b]
            self._next += len(sums.values)


def run_scenarios(net: ScenarioNet, scenarios: ScenarioSet, *, struck: np.ndarray | None = None,
                  flips: tuple[np.ndarray, np.ndarray] | None = None, cuts: bool = True,
                  workers: int | None = None, scheduler: str | None = None,
                  progress: Progress | None = None) -> Totals:
    """Return every scenario's maximum flow and the weighted sums of cuts and flip losses.

    Parameters
    ----------
    net : ScenarioNet
    scenarios : ScenarioSet
    struck : numpy.ndarray of bool, optional
        Elements struck in every scenario (gone where the strike works).
    flips : (ptr, elements), optional
        Element groups whose removal on top of each scenario is measured.
    cuts : bool
        Count minimum-cut membership per element.
    workers : int, optional
        Threads on this machine (default: every core); ignored with ``scheduler``.
    scheduler : str, optional
        Address of a ``dask.distributed`` scheduler to run the tasks on.
    progress : callable, optional
        ``progress(done, total)`` in scenarios, after every task.

    Raises
    ------
    AnalysisError
        ``workers`` out of range, or the scheduler cannot be used.

    Examples
    --------
    >>> import networkx as nx
    >>> from supplynet.engine.draws import sampled
    >>> from supplynet.engine.scenarios import scenario_net
    >>> from supplynet.engine.snapshot import compile_network
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing"); G.add_node("t", type="assembly")
    >>> G.add_edge("s", "t", key="a", length=1, capacity=4.0)
    'a'
    >>> net = scenario_net(compile_network(G))  # elements: s, t (nodes), then a
    >>> scen = sampled(np.arange(3), np.array([1.0, 1.0, 0.5]), np.ones(3), 100, seed=1)
    >>> totals = run_scenarios(net, scen)
    >>> float(totals.values.mean()) == 4.0 * float(totals.cut[2]) / 100
    True
    """
    return run_plans(net, scenarios, [struck], flips=flips, cuts=cuts, workers=workers, scheduler=scheduler,
                     progress=progress)[0]


def run_plans(net: ScenarioNet, scenarios: ScenarioSet, plans: Sequence[np.ndarray | None], *,
              flips: tuple[np.ndarray, np.ndarray] | None = None, cuts: bool = True, workers: int | None = None,
              scheduler: str | None = None, progress: Progress | None = None) -> list[Totals]:
    """Return :func:`run_scenarios` for each plan (a mask of struck elements, or None) on the same scenarios.

    The scenarios are drawn once per task for all the plans: common random numbers, at
    the cost of one draw.
    """
    workers = check_workers(workers)
    n_flip = 0 if flips is None else len(flips[0]) - 1
    folders = [_Folder(net, scenarios.count, n_flip, cuts) for _ in plans]
    if scheduler is not None:
        results = _on_cluster(scheduler, net, scenarios, list(plans), flips, cuts)
    else:
        results = (run_task(net, scenarios, plans, flips, cuts, a, b, workers)
                   for a, b in _ranges(scenarios.count, _LOCAL_TASK))
    done = 0
    if progress is not None:
        progress(0, scenarios.count)
    for start, sums in results:
        for folder, part in zip(folders, sums):
            folder.add(start, part)
        done += len(sums[0].values)
        if progress is not None:
            progress(done, scenarios.count)
    weight = scenarios.weights(0, scenarios.count)
    out = []
    for folder in folders:
        values = folder.values.astype(float) / net.scale
        values[folder.values < 0] = np.inf
        out.append(Totals(values, weight, folder.cut, folder.loss / net.scale, folder.loss_sq / float(net.scale) ** 2))
    return out


def _on_cluster(address: str, net: ScenarioNet, scenarios: ScenarioSet, plans: list[np.ndarray | None],
                flips: tuple[np.ndarray, np.ndarray] | None, cuts: bool) -> Iterator[tuple[int, list[BlockSums]]]:
    """Yield the tasks' results from a Dask cluster as they finish."""
    client = connect(address)
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        blocks = -(-scenarios.count // BLOCK)
        per_task = max(1, -(-blocks // (_TASKS_PER_WORKER * workers)))
        shared = client.scatter([net, scenarios, plans, flips], broadcast=True)
        futures = [client.submit(run_task, *shared, cuts, a, b, 1, pure=False)
                   for a, b in _ranges(scenarios.count, per_task)]
        from distributed import as_completed

        logger.info("%d scenario tasks on %d Dask worker(s) at %s", len(futures), workers, address)
        for future in as_completed(futures, loop=client.loop):
            yield future.result()
    finally:
        client.close()


def connect(address: str) -> Any:
    """Return a ``distributed.Client`` of the scheduler at ``address``.

    Raises
    ------
    AnalysisError
        dask.distributed is not installed, the address is malformed, or no scheduler
        answers there within :data:`SCHEDULER_TIMEOUT` seconds.
    """
    try:
        from distributed import Client
    except ImportError:
        raise AnalysisError("running scenarios on a Dask scheduler needs dask.distributed: "
                            "pip install 'supplynet[distributed]'") from None
    if not isinstance(address, str) or not address.strip():
        raise AnalysisError(f"scheduler: expected an address such as tcp://10.0.0.5:8786; got {address!r}")
    try:
        return Client(address, timeout=SCHEDULER_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise AnalysisError(f"scheduler: cannot reach a Dask scheduler at {address!r} within "
                            f"{SCHEDULER_TIMEOUT:g} s ({type(exc).__name__}: {exc})") from None
