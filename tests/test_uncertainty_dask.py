"""Scenarios on a Dask cluster: a LocalCluster of two worker processes on loopback, as CI runs it.

The cluster is started once for the module and closed at its end. Every result must be
bit-identical to the same run on this machine's threads: a scenario depends on its
index only, and blocks are added in block order whoever ran them.
"""

from __future__ import annotations

import time

import distributed  # a test extra (setup.cfg): `make test` installs it
import pytest
from click.testing import CliRunner

import supplynet
from supplynet.analysis.plan import compare_methods
from supplynet.analysis.uncertainty import evaluate_uncertainty
from supplynet.cli import main
from tests.conftest import CORRIDOR
from tests.test_uncertainty import network_with_doubts


@pytest.fixture(scope="module")
def scheduler():
    start = time.perf_counter()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, worker_dashboard_address=None) as cluster:
        with distributed.Client(cluster.scheduler_address) as client:
            client.wait_for_workers(2, timeout=60)
        assert time.perf_counter() - start < 60
        yield cluster.scheduler_address


def test_a_two_worker_cluster_gives_the_same_figures_as_this_machine(scheduler: str) -> None:
    G = network_with_doubts(30, 4)
    local = evaluate_uncertainty(G, samples=300, seed=5)
    remote = evaluate_uncertainty(G, samples=300, seed=5, scheduler=scheduler)
    one = evaluate_uncertainty(G, samples=300, seed=5, workers=1)
    assert local.method == "monte-carlo"
    assert remote.to_dict() == local.to_dict() == one.to_dict()


def test_exact_enumeration_on_the_cluster_is_the_same(scheduler: str) -> None:
    G = network_with_doubts(10, 2)
    assert evaluate_uncertainty(G, scheduler=scheduler).to_dict() == evaluate_uncertainty(G).to_dict()


def test_the_stochastic_plan_runs_its_scenarios_on_the_cluster(scheduler: str) -> None:
    G = supplynet.read_network(CORRIDOR)
    kw = dict(budget=2, samples=60, evaluation_samples=500, methods=("optimal",))
    remote = compare_methods(G, scheduler=scheduler, **kw)
    local = compare_methods(G, **kw)
    assert remote.to_dict() == local.to_dict()


def test_the_command_takes_the_scheduler_address(scheduler: str, tmp_path) -> None:
    out = [tmp_path / "local.json", tmp_path / "remote.json"]
    base = ["uncertainty", str(CORRIDOR), "--samples", "200", "--format", "json", "--losses", "uncertain"]
    for path, extra in zip(out, ([], ["--scheduler", scheduler])):
        result = CliRunner().invoke(main, [*base, *extra, "-o", str(path)])
        assert result.exit_code == 0, result.output
    assert out[0].read_bytes() == out[1].read_bytes()
