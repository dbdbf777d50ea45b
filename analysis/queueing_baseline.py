"""Queueing-approximation baseline for edgesim GNN datasets.

Every fragment is a station M/G/1/K (Poisson arrivals, one server, capacity K including
the request in service) solved exactly through its embedded Markov chain at departures,
the method of src/queueing/mg1k.cpp: with a_j = P(j arrivals during one service),

  pi_{j+1} a_0 = pi_0 P(A > j) + sum_{i=1..j} pi_i P(A > j - i + 1)    (cut equations)
  p_n = pi_n / (pi_0 + rho) (n < K),  p_K = 1 - 1 / (pi_0 + rho),  W = L / (lambda (1 - p_K)).

Service is deterministic or exponential (the chain's `work_scv`, 0 or 1) with the mean
`service_time` of the fragment on its device. The approximation of a whole deployment:

- a station's arrival rate is its chain's rate times P(reach) (early exits), thinned by
  the losses of the chain's upstream stations;
- stations sharing a device share its CPU (processor sharing): a station's service time
  is stretched by 1 / (1 - utilisation of the device's other stations), floored at 5 %;
- rates and stretches are iterated to a fixed point (20 rounds);
- a chain's loss is 1 - prod(1 - p_K) over its stations, its throughput lambda (1 - loss),
  and its mean response time the sum over stations of P(reach) x W plus the transfer
  times (input and activations) weighted the same way.

It is exact for one station alone (M/M/1/K, M/D/1/K), which tests/analysis checks.
"""

from __future__ import annotations

import math
from typing import Dict, Tuple

import numpy as np


def arrival_count_pmf(lam: float, service: float, scv: float, n: int) -> np.ndarray:
    """P(A = j), j < n, for A arrivals of a Poisson(lam) process during one service."""
    a = lam * service
    j = np.arange(n)
    if scv <= 0:  # deterministic: Poisson(a)
        logp = -a + j * math.log(a) - np.array([math.lgamma(k + 1) for k in j]) if a > 0 else None
        return np.exp(logp) if a > 0 else (j == 0).astype(float)
    q = a / (1 + a)  # exponential service: geometric
    return (1 - q) * q ** j


def mg1k(lam: float, service: float, scv: float, K: int) -> Tuple[float, float]:
    """(loss probability, mean response time of accepted requests) of M/G/1/K."""
    if lam <= 0 or service <= 0:
        return 0.0, max(service, 0.0)
    rho = lam * service
    a = arrival_count_pmf(lam, service, scv, K + 1)
    tail = 1 - np.cumsum(a)  # P(A > j)
    tail = np.maximum(tail, 0.0)
    pi = np.zeros(K)
    pi[0] = 1.0
    for j in range(K - 1):
        s = pi[0] * tail[j] + sum(pi[i] * tail[j - i + 1] for i in range(1, j + 1))
        pi[j + 1] = s / a[0] if a[0] > 0 else s
        if pi[j + 1] > 1e250:
            pi /= pi[j + 1]
    pi /= pi.sum()
    denom = pi[0] + rho
    p = np.append(pi / denom, 1 - 1 / denom)
    loss = float(min(max(p[K], 0.0), 1.0))
    L = float(np.dot(np.arange(K + 1), p))
    accepted = lam * (1 - loss)
    return loss, (L / accepted if accepted > 0 else math.inf)


def predict(ds, g: int, rounds: int = 20) -> Dict[str, np.ndarray]:
    """Per-chain loss_ratio, throughput and latency_mean of graph g of a GnnDataset."""
    return solve(ds, g, rounds)[1]


def solve(ds, g: int, rounds: int = 20) -> Tuple[Dict[str, np.ndarray], Dict[str, np.ndarray]]:
    """(per-fragment, per-chain) estimates of graph g: the stations' `loss` (p_K),
    `response` (W), `utilisation` (offered load of the stretched service, lambda x S) and
    `stretch` (processor-sharing factor), in fragment-row order; and what predict() returns."""
    graph = ds.graph(g)
    xf, xc = graph.x["fragment"], graph.x["chain"]
    col = lambda t, n: ds.column(t, n)  # noqa: E731
    chain = xf[:, col("fragment", "chain")].astype(int)
    device = xf[:, col("fragment", "device")].astype(int)
    position = xf[:, col("fragment", "position")].astype(int)
    service = xf[:, col("fragment", "service_time")]
    reach = xf[:, col("fragment", "reach_prob")]
    K = xf[:, col("fragment", "buffer")].astype(int)
    lam_chain = xc[:, col("chain", "arrival_rate")]
    scv = xc[:, col("chain", "work_scv")]
    n_frag, n_chain = xf.shape[0], xc.shape[0]
    order = np.lexsort((position, chain))

    # Transfer time into each fragment: the chain input for the first, else the flow edge.
    transfer_in = np.zeros(n_frag)
    flows = graph.edge_index[("fragment", "flow", "fragment")]
    if flows.shape[1]:
        t_col = ds.edge_columns[("fragment", "flow", "fragment")].index("transfer_time")
        transfer_in[flows[1]] = graph.edge_attr[("fragment", "flow", "fragment")][:, t_col]
    first = position == 0
    transfer_in[first] = xc[chain[first], col("chain", "input_transfer_time")]

    loss = np.zeros(n_frag)
    wait = service.copy()
    stretch = np.ones(n_frag)
    lam = lam_chain[chain] * reach
    for _ in range(rounds):
        # Upstream thinning along each chain.
        survive = np.ones(n_chain)
        for f in order:
            lam[f] = lam_chain[chain[f]] * reach[f] * survive[chain[f]]
            survive[chain[f]] *= 1 - loss[f]
        util = lam * service * (1 - loss)
        for f in range(n_frag):
            others = util[device == device[f]].sum() - util[f]
            stretch[f] = 1 / max(1 - others, 0.05)
            loss[f], wait[f] = mg1k(lam[f], service[f] * stretch[f], scv[chain[f]], max(K[f], 1))
    chain_loss = np.zeros(n_chain)
    latency = np.zeros(n_chain)
    survive = np.ones(n_chain)
    for f in order:
        c = chain[f]
        chain_loss[c] += survive[c] * reach[f] * loss[f]
        survive[c] *= 1 - loss[f]
        latency[c] += reach[f] * (wait[f] + transfer_in[f])
    chain_loss = np.clip(chain_loss, 0, 1)
    stations = {"loss": loss, "response": wait, "utilisation": lam * service * stretch, "stretch": stretch}
    return stations, {"loss_ratio": chain_loss, "throughput": lam_chain * (1 - chain_loss), "latency_mean": latency}


def predict_all(ds) -> Dict[str, np.ndarray]:
    """predict() for every graph, concatenated in chain-row order."""
    parts = [predict(ds, g) for g in range(len(ds))]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]} if parts else {}
