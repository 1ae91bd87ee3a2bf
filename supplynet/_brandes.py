"""numba Brandes core shared by every betweenness in :mod:`supplynet.centrality`.

It reproduces networkx 3.6's weighted code step by step, not just in value, because
with zero-length arcs networkx's answer depends on its exact order of work:

- ``_single_source_dijkstra_path_basic``: a heap of ``(distance, push counter, pred,
  vertex)``; on pop, ``sigma[v] += sigma[pred]`` (so ``sigma[source]`` starts at 2);
  an improving relaxation resets ``sigma[w] = 0`` and ``P[w] = [v]``; an equal one adds
  ``sigma[v]`` to ``sigma[w]`` and appends ``v`` to ``P[w]`` *even if ``w`` is already
  settled* (only possible over zero-length arcs).
- the four accumulations: ``_accumulate_basic`` (mode 0), ``_accumulate_subset``
  (mode 1, targets minus the source, ``delta[w] / sigma[w]`` off targets),
  ``_accumulate_edges`` (mode 2) and ``_accumulate_edges_subset`` (mode 3, targets
  *including* the source, ``delta[w] / len(P[w])`` off targets).

Distances are int64 metres, so every tie is exact, as in networkx with integer
lengths. The heap key ``(distance, counter)`` is unique, so any correct heap pops in
networkx's order; adjacency is scanned in the graph's CSR order, which
:func:`supplynet.centrality.shortest_digraph` gives networkx too.

Sources are dealt round-robin to a fixed number of blocks, each with its own
accumulator, summed in block order; blocks run in parallel for large jobs, in turn for
small ones. Either way the result is the same, bit for bit, whatever the number of
threads.
"""

from __future__ import annotations

import numba
import numpy as np

from supplynet._jit import njit

__all__ = ["BLOCKS", "PARALLEL_WORK", "brandes", "brandes_parallel", "brandes_serial"]

#: Source blocks (and accumulators): fixed so results never depend on thread count.
BLOCKS = 8
#: Sources x (vertices + arcs) above which the blocks run in parallel (~20 ms of work).
PARALLEL_WORK = 20_000_000


@njit()
def _heap_push(hkey, hent, size, dist, entry):
    """Push ``entry`` (its push counter, unique) with key ``(dist, entry)``."""
    i = size
    while i > 0:
        parent = (i - 1) // 2
        pk, pe = hkey[parent], hent[parent]
        if pk < dist or (pk == dist and pe < entry):
            break
        hkey[i], hent[i] = pk, pe
        i = parent
    hkey[i], hent[i] = dist, entry
    return size + 1


@njit()
def _heap_pop(hkey, hent, size):
    """Return ``(least entry, new size)``."""
    top = hent[0]
    size -= 1
    dist, entry = hkey[size], hent[size]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        ck, ce = hkey[child], hent[child]
        right = child + 1
        if right < size:
            rk, re = hkey[right], hent[right]
            if rk < ck or (rk == ck and re < ce):
                child, ck, ce = right, rk, re
        if dist < ck or (dist == ck and entry < ce):
            break
        hkey[i], hent[i] = ck, ce
        i = child
    hkey[i], hent[i] = dist, entry
    return top, size


@njit()
def _dijkstra(indptr, indices, weights, in_ptr, s, sigma, seen, done, pcount, pbuf,
              order, heap_arrays):
    """networkx's path-counting Dijkstra from ``s``; return how many vertices settled.

    ``P[w]`` is ``pbuf[in_ptr[w]:in_ptr[w] + pcount[w]]`` (arc indices).
    """
    # Heap entries are push counters (ties break on them, as in networkx); the heap
    # holds (distance, entry) pairs and pred/vert hold each entry's other fields.
    hkey, hent, key, pred_of, vert_of = heap_arrays
    key[0], pred_of[0], vert_of[0] = 0, s, s
    size = _heap_push(hkey, hent, 0, 0, 0)
    counter = 1
    sigma[s] = 1.0
    seen[s] = 0
    n_done = 0
    while size > 0:
        entry, size = _heap_pop(hkey, hent, size)
        dist, pred, v = key[entry], pred_of[entry], vert_of[entry]
        if done[v]:
            continue
        sigma[v] += sigma[pred]
        order[n_done] = v
        n_done += 1
        done[v] = True
        for arc in range(indptr[v], indptr[v + 1]):
            w = indices[arc]
            vw = dist + weights[arc]
            if not done[w] and (seen[w] < 0 or vw < seen[w]):
                seen[w] = vw
                key[counter], pred_of[counter], vert_of[counter] = vw, v, w
                size = _heap_push(hkey, hent, size, vw, counter)
                counter += 1
                sigma[w] = 0.0
                pbuf[in_ptr[w]] = arc
                pcount[w] = 1
            elif vw == seen[w]:
                sigma[w] += sigma[v]
                pbuf[in_ptr[w] + pcount[w]] = arc
                pcount[w] += 1
    return n_done


@njit()
def _accumulate(mode, s, n_done, order, sigma, delta, pcount, pbuf, in_ptr, tails,
                is_target, node_acc, edge_acc):
    """Add source ``s``'s dependencies to the accumulators (networkx's four flavours)."""
    for i in range(n_done - 1, -1, -1):
        w = order[i]
        start, count = in_ptr[w], pcount[w]
        coeff = 0.0
        if mode == 0 or mode == 2:
            coeff = (1.0 + delta[w]) / sigma[w]
        elif mode == 1:
            if is_target[w] and w != s:
                coeff = (delta[w] + 1.0) / sigma[w]
            else:
                coeff = delta[w] / sigma[w]
        for k in range(start, start + count):
            arc = pbuf[k]
            v = tails[arc]
            if mode <= 1:
                delta[v] += sigma[v] * coeff
                continue
            if mode == 2:
                c = sigma[v] * coeff
            elif is_target[w]:
                c = (sigma[v] / sigma[w]) * (1.0 + delta[w])
            else:
                c = delta[w] / count
            edge_acc[arc] += c
            delta[v] += c
        if w != s:
            node_acc[w] += delta[w]


@njit()
def _reset(n_done, order, sigma, seen, done, pcount, delta):
    """Clear the per-source arrays where this source touched them."""
    for i in range(n_done):
        v = order[i]
        sigma[v] = 0.0
        seen[v] = -1
        done[v] = False
        pcount[v] = 0
        delta[v] = 0.0


@njit()
def _block(b, blocks, indptr, indices, weights, tails, in_ptr, sources, is_target, mode,
           node_acc, edge_acc):
    """Accumulate sources ``b, b + blocks, ...`` into ``node_acc``/``edge_acc``."""
    n, m = len(indptr) - 1, len(indices)
    sigma, delta = np.zeros(n), np.zeros(n)
    seen = np.full(n, -1, np.int64)
    done = np.zeros(n, np.bool_)
    pcount = np.zeros(n, np.int64)
    pbuf = np.empty(m, np.int64)
    order = np.empty(n, np.int64)
    heap = (np.empty(m + 1, np.int64), np.empty(m + 1, np.int64),
            np.empty(m + 1, np.int64), np.empty(m + 1, np.int64),
            np.empty(m + 1, np.int64))
    for j in range(b, len(sources), blocks):
        s = sources[j]
        n_done = _dijkstra(indptr, indices, weights, in_ptr, s, sigma, seen, done,
                           pcount, pbuf, order, heap)
        _accumulate(mode, s, n_done, order, sigma, delta, pcount, pbuf, in_ptr, tails,
                    is_target, node_acc, edge_acc)
        _reset(n_done, order, sigma, seen, done, pcount, delta)


@njit()
def _setup(indptr, indices, sources, mode):
    """Return in-degree offsets and zeroed per-block accumulators."""
    n, m = len(indptr) - 1, len(indices)
    in_ptr = np.zeros(n + 1, np.int64)
    for arc in range(m):
        in_ptr[indices[arc] + 1] += 1
    blocks = min(BLOCKS, max(1, len(sources)))
    return np.cumsum(in_ptr), np.zeros((blocks, n)), np.zeros((blocks, m if mode >= 2 else 0))


@njit()
def _total(node_acc, edge_acc):
    """Sum the block accumulators in block order (fixed: deterministic)."""
    node_sum, edge_sum = np.zeros(node_acc.shape[1]), np.zeros(edge_acc.shape[1])
    for b in range(node_acc.shape[0]):
        node_sum += node_acc[b]
        edge_sum += edge_acc[b]
    return node_sum, edge_sum


@njit(parallel=True)
def brandes_parallel(indptr, indices, weights, tails, sources, is_target, mode):
    """:func:`brandes` with the blocks on numba's threads."""
    in_ptr, node_acc, edge_acc = _setup(indptr, indices, sources, mode)
    blocks = node_acc.shape[0]
    for b in numba.prange(blocks):
        _block(b, blocks, indptr, indices, weights, tails, in_ptr, sources, is_target, mode,
               node_acc[b], edge_acc[b])
    return _total(node_acc, edge_acc)


@njit()
def brandes_serial(indptr, indices, weights, tails, sources, is_target, mode):
    """:func:`brandes` on the calling thread (same blocks, same result bit for bit)."""
    in_ptr, node_acc, edge_acc = _setup(indptr, indices, sources, mode)
    blocks = node_acc.shape[0]
    for b in range(blocks):
        _block(b, blocks, indptr, indices, weights, tails, in_ptr, sources, is_target, mode,
               node_acc[b], edge_acc[b])
    return _total(node_acc, edge_acc)


def brandes(indptr, indices, weights, tails, sources, is_target, mode):
    """Return ``(node, edge)`` dependency sums over ``sources`` (unscaled).

    ``mode``: 0 all-pairs nodes, 1 source-to-target nodes, 2 all-pairs arcs,
    3 source-to-target arcs. Arc results follow the CSR order of ``indices``.
    Small jobs run on the calling thread: a parallel region costs ~20 ms on a busy
    machine (its barrier waits for a descheduled thread), more than they take.
    """
    work = len(sources) * (len(indptr) + len(indices))
    run = brandes_parallel if numba.get_num_threads() > 1 and work > PARALLEL_WORK \
        else brandes_serial
    return run(indptr, indices, weights, tails, sources, is_target, mode)
