"""Scenario kernels: the maximum flow of many versions of one network, and what each element is worth in them.

A *scenario* is the compiled network with some elements absent (capacity 0): elements
that do not exist in it, and struck elements whose strike worked. Elements are numbered
nodes first, then edges, each in the snapshot's sorted order; element ``i`` owns one
forward arc of the split flow network (a node its ``v_in -> v_out`` arc, an edge its own
arc), so an absent node takes every unit through it, its own supply or intake included.

Per scenario, :func:`sweep_blocks` finds

- the **maximum flow**, solved from zero (ISAP, :func:`supplynet.engine.maxflow.max_flow`)
  when many elements are absent, or repaired from the intact network's maximum flow
  (:func:`supplynet.engine.repair.lower_capacities`) when few are: a repair costs time
  local to each lowered arc, so at 10,000 nodes a scenario with 512 absent arcs costs
  over three times as much to repair as to solve from zero, and one with 16 a tenth
  (:data:`REPAIR_POSITIONS`). Both give the same value, and nothing below depends on
  which maximum flow was found;
- whether each element lies in **some minimum cut**: it is present, saturated, and its
  tail and head fall in different strongly connected components of the residual graph
  (Picard and Queyranne 1980), one Tarjan pass per scenario. Equivalently, removing it
  alone lowers the maximum flow by its full capacity;
- the **flow lost** when each of a list of element groups is removed as well ("flips"),
  by local repair from the scenario's own maximum flow, restored after each: a group
  carrying no flow loses nothing, and one element in some minimum cut loses exactly its
  flow, so neither is re-solved.

Sums are weighted (a scenario's weight: 1 when sampled, its probability when
enumerated) and kept per fixed block of consecutive scenarios, each block summed in
scenario order by one thread. Callers add the blocks in block order, so every figure is
bit-identical whatever the number of threads, processes or machines that ran the blocks.
Every array here is plain numpy, so a :class:`ScenarioNet` pickles to any worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from supplynet.engine.jit import njit
from supplynet.engine.maxflow import coreachable, make_work, max_flow, outflow, reachable, restore, unlimited_path
from supplynet.engine.repair import lower_capacities

__all__ = ["BLOCK", "REPAIR_POSITIONS", "ScenarioNet", "BlockSums", "scenario_net", "sweep_blocks", "run_blocks"]

#: Scenarios per block: the unit of every sum. Fixed, so sums never depend on how the
#: blocks were shared out.
BLOCK = 16
#: Residual positions per absent element a repair may cost before solving from zero is
#: cheaper: a scenario of a network with ``P`` positions is repaired from the intact
#: maximum flow when at most ``P // REPAIR_POSITIONS`` elements are absent. Measured
#: (docs/benchmarks-uncertainty.md): a repair costs 8-100 us per lowered arc, a cold solve
#: 0.12-0.15 us per position, so at 10,000 nodes (93,000 positions) the two cross near 128
#: arcs, and on the 56-node corridor a cold solve wins from 4 arcs on.
REPAIR_POSITIONS = 1000


@dataclass(frozen=True, eq=False)
class ScenarioNet:
    """The arrays every scenario kernel reads: plain numpy, so it pickles to a worker.

    Attributes
    ----------
    ptr, head, mate, is_fwd : numpy.ndarray
        The residual layout (:mod:`supplynet.engine.maxflow`).
    el_pos : numpy.ndarray
        Forward residual position of each element's arc, nodes then edges.
    initial : numpy.ndarray
        The residual at zero flow.
    base : numpy.ndarray
        A maximum flow of the network with every element present (empty when unbounded).
    sides : tuple of numpy.ndarray
        The fences :func:`~supplynet.engine.repair.lower_capacities` takes for ``base``.
    source, sink : int
        Super source and super sink.
    big : int
        The capacity of an unlimited arc, in units.
    scale : int
        Units per capacity unit.
    unbounded : bool
        Whether a source-to-sink path of unlimited arcs exists with every element present
        (then every scenario is checked for one, and solved from zero).
    n_nodes, n_edges : int
    """

    ptr: np.ndarray
    head: np.ndarray
    mate: np.ndarray
    is_fwd: np.ndarray
    el_pos: np.ndarray
    initial: np.ndarray
    base: np.ndarray
    sides: tuple[np.ndarray, ...]
    source: int
    sink: int
    big: int
    scale: int
    unbounded: bool
    n_nodes: int
    n_edges: int

    @property
    def n_elements(self) -> int:
        """Nodes plus edges."""
        return self.n_nodes + self.n_edges


def scenario_net(snap: Any) -> ScenarioNet:
    """Return the :class:`ScenarioNet` of a compiled snapshot with sources and sinks.

    The snapshot's residual layout, zero-flow residual and solved base flow, taken as
    they are (read-only arrays, never copied into a second layout).

    Examples
    --------
    >>> import networkx as nx
    >>> from supplynet.engine.snapshot import compile_network
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing"); G.add_node("t", type="assembly")
    >>> G.add_edge("s", "t", key="a", length=1, capacity=3.0)
    'a'
    >>> net = scenario_net(compile_network(G))
    >>> net.n_elements, net.unbounded, int(net.base.size > 0)
    (3, False, 1)
    """
    state = snap.flow_state()  # the snapshot's residual layout and base flow, as they are
    flownet, base = state.net, state.base
    m, n = len(snap.edges), len(snap.nodes)
    pos = np.asarray(flownet.fwd_pos, np.int64)
    sides = state.sides if base is not None else tuple(np.zeros(0, bool) for _ in range(3)) + (
        np.zeros(len(flownet.ptr) - 1, bool),)
    return ScenarioNet(
        ptr=flownet.ptr, head=flownet.head, mate=flownet.mate, is_fwd=flownet.is_fwd,
        el_pos=np.concatenate([pos[m:m + n], pos[:m]]), initial=state.initial,
        base=np.zeros(0, np.int64) if base is None else base,
        sides=tuple(np.asarray(s) for s in sides), source=int(flownet.source), sink=int(flownet.sink),
        big=state.unlimited, scale=int(snap.capacity_scale), unbounded=base is None,
        n_nodes=n, n_edges=m,
    )


@dataclass(frozen=True)
class BlockSums:
    """What :func:`run_blocks` found for a run of consecutive scenarios.

    Attributes
    ----------
    values : numpy.ndarray of int64
        Maximum flow of each scenario in units; -1 where it is unbounded.
    cut, loss, loss_sq : numpy.ndarray of float64
        Per block (rows) and element / flip group (columns): the weight of the scenarios
        where the element lies in some minimum cut; the weighted sum of each flip's loss
        (units) and of its square.
    """

    values: np.ndarray
    cut: np.ndarray
    loss: np.ndarray
    loss_sq: np.ndarray


@njit()
def _strong_components(ptr, head, res, comp, stack, low, order, on_stack, call_v, call_p):
    """Label every vertex with its strongly connected component over ``res > 0`` (Tarjan, iterative)."""
    n = len(ptr) - 1
    for v in range(n):
        order[v] = -1
        on_stack[v] = False
    counter, n_comp, top = 0, 0, 0
    for root in range(n):
        if order[root] >= 0:
            continue
        depth = 0
        call_v[0], call_p[0] = root, ptr[root]
        order[root] = low[root] = counter
        counter += 1
        stack[top] = root
        top += 1
        on_stack[root] = True
        while depth >= 0:
            v, p = call_v[depth], call_p[depth]
            descended = False
            while p < ptr[v + 1]:
                w = head[p]
                if res[p] > 0:
                    if order[w] < 0:
                        call_p[depth] = p + 1
                        depth += 1
                        call_v[depth], call_p[depth] = w, ptr[w]
                        order[w] = low[w] = counter
                        counter += 1
                        stack[top] = w
                        top += 1
                        on_stack[w] = True
                        descended = True
                        break
                    if on_stack[w] and order[w] < low[v]:
                        low[v] = order[w]
                p += 1
            if descended:
                continue
            if low[v] == order[v]:  # v roots a component: pop it
                while True:
                    top -= 1
                    w = stack[top]
                    on_stack[w] = False
                    comp[w] = n_comp
                    if w == v:
                        break
                n_comp += 1
            depth -= 1
            if depth >= 0 and low[v] < low[call_v[depth]]:
                low[call_v[depth]] = low[v]
    return n_comp


@njit()
def _in_some_cut(head, mate, res, comp, p):
    """Whether the arc at forward position ``p`` is saturated, carries flow and crosses components."""
    return res[p] == 0 and res[mate[p]] > 0 and comp[head[mate[p]]] != comp[head[p]]


@njit()
def _block(b, ptr, head, mate, is_fwd, initial, base, sides, source, sink, big, unbounded, el_pos,
           absent_ptr, absent, weight, block_ptr, flip_ptr, flip_el, want_cut, repair_max, values, cut, loss,
           loss_sq):
    """Solve the scenarios of block ``b`` in order and add their weighted figures to row ``b``."""
    n_v, n_el, n_flip = len(ptr) - 1, len(el_pos), len(flip_ptr) - 1
    work = make_work(n_v, len(head))
    res = initial.copy()
    scen = np.empty(0, np.int64) if n_flip == 0 else initial.copy()
    gone = np.zeros(n_el, np.bool_)
    comp = np.empty(n_v, np.int64)
    stack, low, order = np.empty(n_v, np.int64), np.empty(n_v, np.int64), np.empty(n_v, np.int64)
    on_stack = np.empty(n_v, np.bool_)
    call_v, call_p = np.empty(n_v + 1, np.int64), np.empty(n_v + 1, np.int64)
    widest = 1
    for j in range(n_flip):
        widest = max(widest, flip_ptr[j + 1] - flip_ptr[j])
    for s in range(block_ptr[b], block_ptr[b + 1]):
        widest = max(widest, absent_ptr[s + 1] - absent_ptr[s])
    pos = np.empty(widest, np.int64)
    zeros = np.zeros(len(pos), np.int64)
    nowhere = np.zeros(n_v, np.bool_)
    for s in range(block_ptr[b], block_ptr[b + 1]):
        a0, a1 = absent_ptr[s], absent_ptr[s + 1]
        w = weight[s]
        repair = not unbounded and a1 - a0 <= repair_max
        if repair:  # few changes: lower them in the intact maximum flow
            res[:] = base
            for k in range(a0, a1):
                pos[k - a0] = el_pos[absent[k]]
                gone[absent[k]] = True
            lower_capacities(ptr, head, mate, is_fwd, res, pos[:a1 - a0], zeros[:a1 - a0], source, sink,
                             sides, work)
            restore(res, res, work)  # keep the result, clear the write log
        else:
            res[:] = initial
            for k in range(a0, a1):
                res[el_pos[absent[k]]] = 0
                gone[absent[k]] = True
            if unbounded and unlimited_path(ptr, head, res, big, source, sink):
                values[s] = -1
                for k in range(a0, a1):
                    gone[absent[k]] = False
                continue
            max_flow(ptr, head, mate, res, source, sink, work)
        flow = outflow(ptr, mate, is_fwd, res, source)
        values[s] = flow
        if want_cut or n_flip:
            _strong_components(ptr, head, res, comp, stack, low, order, on_stack, call_v, call_p)
        if want_cut:
            for e in range(n_el):
                if not gone[e] and _in_some_cut(head, mate, res, comp, el_pos[e]):
                    cut[b, e] += w
        if n_flip:
            scen[:] = res
            src_side = reachable(ptr, head, res, 1, source)
            here = (src_side, coreachable(ptr, head, mate, res, 1, sink), ~src_side, nowhere)
            for j in range(n_flip):
                k = 0
                for q in range(flip_ptr[j], flip_ptr[j + 1]):
                    e = flip_el[q]
                    if not gone[e] and res[mate[el_pos[e]]] > 0:  # present and carrying flow
                        pos[k] = el_pos[e]
                        k += 1
                if k == 0:
                    continue
                if k == 1 and _in_some_cut(head, mate, res, comp, pos[0]):
                    lost = res[mate[pos[0]]]  # it alone lowers the flow by its full capacity
                else:
                    lower_capacities(ptr, head, mate, is_fwd, res, pos[:k], zeros[:k], source, sink, here,
                                     work)
                    lost = flow - outflow(ptr, mate, is_fwd, res, source)
                    restore(res, scen, work)
                fl = float(lost)
                loss[b, j] += w * fl
                loss_sq[b, j] += w * fl * fl
        for k in range(a0, a1):
            gone[absent[k]] = False


@njit(parallel=True)
def sweep_blocks(ptr, head, mate, is_fwd, initial, base, sides, source, sink, big, unbounded, el_pos,
                 absent_ptr, absent, weight, block_ptr, flip_ptr, flip_el, want_cut, repair_max, values, cut, loss,
                 loss_sq):
    """Fill the per-scenario values and per-block sums of every block, blocks in parallel.

    Scenario ``s`` has the elements ``absent[absent_ptr[s]:absent_ptr[s + 1]]`` absent
    and weight ``weight[s]``; block ``b`` holds scenarios ``block_ptr[b]:block_ptr[b + 1]``.
    Flip ``j`` removes the elements ``flip_el[flip_ptr[j]:flip_ptr[j + 1]]`` together.
    ``values`` (int64 per scenario; -1 where unbounded), ``cut`` (blocks x elements),
    ``loss`` and ``loss_sq`` (blocks x flips) are filled in place; each block writes its
    own row only, so the threads never share a cell. A finite network's scenario with at
    most ``repair_max`` absent elements is repaired from ``base``, any other solved from zero.
    """
    for b in numba.prange(len(block_ptr) - 1):
        _block(b, ptr, head, mate, is_fwd, initial, base, sides, source, sink, big, unbounded, el_pos,
               absent_ptr, absent, weight, block_ptr, flip_ptr, flip_el, want_cut, repair_max, values, cut, loss,
               loss_sq)


def run_blocks(net: ScenarioNet, absent_ptr: np.ndarray, absent: np.ndarray, weight: np.ndarray, *,
               flips: tuple[np.ndarray, np.ndarray] | None = None, cuts: bool = True,
               threads: int | None = None, repair_max: int | None = None) -> BlockSums:
    """Return the figures of consecutive scenarios, in blocks of :data:`BLOCK`.

    Parameters
    ----------
    net : ScenarioNet
    absent_ptr, absent : numpy.ndarray of int64
        Ragged lists of the absent elements of each scenario.
    weight : numpy.ndarray of float64
        Weight of each scenario.
    flips : (ptr, elements), optional
        Ragged groups of elements whose removal, on top of each scenario, is measured.
    cuts : bool
        Count minimum-cut membership.
    threads : int, optional
        numba threads for the blocks (default: numba's setting, every core).
    repair_max : int, optional
        Most absent elements a scenario may have to be repaired rather than solved from
        zero (default: :data:`REPAIR_POSITIONS` per lowered arc). The answers are the
        same either way; only the time differs.

    Examples
    --------
    Two parallel edges of capacity 2 and 3; the second scenario lacks edge ``a``:

    >>> import networkx as nx
    >>> from supplynet.engine.snapshot import compile_network
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("s", type="manufacturing"); G.add_node("t", type="assembly")
    >>> for e, c in (("a", 2.0), ("b", 3.0)):
    ...     _ = G.add_edge("s", "t", key=e, length=1, capacity=c)
    >>> net = scenario_net(compile_network(G))
    >>> out = run_blocks(net, np.array([0, 0, 1]), np.array([2]), np.ones(2),
    ...                  flips=(np.array([0, 1]), np.array([3])))
    >>> out.values.tolist(), out.cut.sum(axis=0).tolist(), out.loss.sum(axis=0).tolist()
    ([5, 3], [0.0, 0.0, 1.0, 2.0], [6.0])
    """
    count = len(absent_ptr) - 1
    block_ptr = np.arange(0, count + BLOCK, BLOCK, dtype=np.int64)
    block_ptr[-1] = count
    block_ptr = np.unique(block_ptr)
    n_blocks = max(len(block_ptr) - 1, 0)
    flip_ptr, flip_el = flips if flips is not None else (np.zeros(1, np.int64), np.zeros(0, np.int64))
    n_flip = len(flip_ptr) - 1
    values = np.zeros(count, np.int64)
    cut = np.zeros((n_blocks, net.n_elements if cuts else 0))
    loss, loss_sq = np.zeros((n_blocks, n_flip)), np.zeros((n_blocks, n_flip))
    if count == 0:
        return BlockSums(values, cut, loss, loss_sq)
    if repair_max is None:
        repair_max = len(net.head) // REPAIR_POSITIONS
    before = numba.get_num_threads()
    if threads is not None:
        numba.set_num_threads(threads)
    try:
        sweep_blocks(net.ptr, net.head, net.mate, net.is_fwd, net.initial, net.base, net.sides, net.source,
                     net.sink, net.big, net.unbounded, net.el_pos, np.asarray(absent_ptr, np.int64),
                     np.asarray(absent, np.int64), np.asarray(weight, np.float64), block_ptr,
                     np.asarray(flip_ptr, np.int64), np.asarray(flip_el, np.int64), cuts, int(repair_max), values,
                     cut, loss, loss_sq)
    finally:
        numba.set_num_threads(before)
    return BlockSums(values, cut, loss, loss_sq)
