"""Reference heterogeneous message-passing GNN for edgesim datasets (plain PyTorch).

    python3 analysis/train_gnn.py dataset.h5 [--epochs 60] [--hidden 64] [--rounds 4]
                                             [--seed 0] [--l1 1.0] [--json results.json]

Splits the graphs 80/10/10 (train/validation/test, by a seeded permutation), trains a
model that predicts, for every chain, its loss ratio, mean response time and throughput,
keeps the epoch with the best validation error, and prints the test errors next to those
of the queueing-approximation baseline (analysis/queueing_baseline.py) on the same test
graphs: mean absolute error of the loss ratio, mean absolute percentage error of the
throughput and of the mean response time (chains with served requests). Uses a GPU when
torch sees one.

Model: per node type, an MLP encodes log-scaled, standardised features (device: speed,
cores, RAM, power, K, access link; fragment: flops, bytes, params, exit and reach
probabilities, service time, K, load; chain: arrival rate, input size, work law, ...).
`rounds` message-passing rounds then update every node with the mean of its neighbours'
messages over each relation (fragment<-device placement, fragment<->fragment flow with
transfer time and bytes, device<->device link with bandwidth and latency, chain<->fragment
membership, chain<-device source) through a residual MLP. A chain's readout sees its own
state and the sum and mean of its fragments' states.

The model learns a correction to the queueing approximation rather than the targets from
scratch: every fragment also gets the baseline's estimates for its station (logit of the
loss probability, utilisation, response time, processor-sharing stretch), every chain its
per-chain estimates, and the readout is added to the baseline's chain prediction (logit
loss ratio, log response time, log(throughput / rate)); the output layer starts at zero,
so an untrained model predicts the baseline. The loss-ratio term is binary cross-entropy
on the logit plus `--l1` x the absolute error of the ratio (the judged error; most
chains lose little, where cross-entropy weighs errors lightly).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gnn_dataset  # noqa: E402
import queueing_baseline  # noqa: E402

# Columns that are indices or identifiers, not features.
DROP = {"device": {"kind"}, "chain": {"source", "placement", "model"},
        "fragment": {"chain", "device", "first_layer", "last_layer"}}
EPS = 1e-12


def feature_transform(ds):
    """Per node type: the kept columns, log1p-scaled, and standardisation from all rows."""
    out = {}
    for t in gnn_dataset.NODE_TYPES:
        keep = [i for i, c in enumerate(ds.columns[t]) if c not in DROP[t]]
        x = np.log1p(np.maximum(ds.x[t][:, keep], 0) * 1.0)
        out[t] = (keep, x.mean(axis=0), x.std(axis=0) + 1e-6)
    return out


def logit(p):
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def baseline_inputs(ds):
    """The queueing approximation of every graph, in row order: per fragment (logit of the
    station's loss, log utilisation, log response time, log stretch) and per chain the prior
    the model corrects (logit loss ratio, log mean response time, log(throughput / rate))."""
    frag, chain = [], []
    for g in range(len(ds)):
        st, ch = queueing_baseline.solve(ds, g)
        frag.append(np.stack([logit(st["loss"]), np.log(np.maximum(st["utilisation"], 1e-6)),
                              np.log(np.clip(st["response"], 1e-6, 1e6)), np.log(st["stretch"])], 1))
        chain.append(np.stack([logit(ch["loss_ratio"]), np.log(np.clip(ch["latency_mean"], 1e-6, 1e6)),
                               np.log(np.maximum(1 - ch["loss_ratio"], 1e-6))], 1))
    return np.concatenate(frag), np.concatenate(chain)


def chain_targets(ds, y, x_chain):
    """Training targets per chain: loss ratio, log mean latency, log(throughput / rate)."""
    loss = y[:, ds.target("chain", "loss_ratio")]
    lat = y[:, ds.target("chain", "latency_mean")]
    thr = y[:, ds.target("chain", "throughput")]
    rate = x_chain[:, ds.column("chain", "arrival_rate")]
    return np.stack([loss, np.log(np.maximum(lat, EPS)), np.log(np.maximum(thr, EPS) / rate)], axis=1), np.isfinite(lat) & (lat > 0)


def build_model(torch, dims, edge_dims, hidden, rounds):
    nn = torch.nn

    def mlp(i, o):
        return nn.Sequential(nn.Linear(i, hidden), nn.SiLU(), nn.Linear(hidden, o))

    class HeteroMP(nn.Module):
        def __init__(self):
            super().__init__()
            self.enc = nn.ModuleDict({t: mlp(d, hidden) for t, d in dims.items()})
            self.rounds = rounds
            # message functions per relation (and direction)
            self.msg = nn.ModuleDict({
                "dev2frag": mlp(hidden, hidden), "frag2dev": mlp(hidden, hidden),
                "flow_fwd": mlp(2 * hidden + edge_dims["flow"], hidden),
                "flow_bwd": mlp(2 * hidden + edge_dims["flow"], hidden),
                "link": mlp(2 * hidden + edge_dims["link"], hidden),
                "chain2frag": mlp(hidden, hidden), "frag2chain": mlp(hidden, hidden),
                "src2chain": mlp(hidden, hidden),
            })
            self.upd = nn.ModuleDict({
                "fragment": mlp(4 * hidden + hidden, hidden), "device": mlp(3 * hidden, hidden),
                "chain": mlp(3 * hidden, hidden)})
            self.head = nn.Sequential(nn.Linear(3 * hidden, hidden), nn.SiLU(), nn.Linear(hidden, hidden),
                                      nn.SiLU(), nn.Linear(hidden, 3))
            # The head outputs a correction to the queueing approximation: start from none.
            nn.init.zeros_(self.head[-1].weight)
            nn.init.zeros_(self.head[-1].bias)

        @staticmethod
        def mean(src, index, n):
            out = torch.zeros(n, src.shape[1], device=src.device)
            out.index_add_(0, index, src)
            count = torch.zeros(n, device=src.device).index_add_(0, index, torch.ones_like(index, dtype=src.dtype))
            return out / count.clamp(min=1).unsqueeze(1)

        def forward(self, b, x, flow_attr, link_attr):
            h = {t: self.enc[t](x[t]) for t in x}
            n = {t: h[t].shape[0] for t in h}
            place = b.edge_index[("fragment", "placed_on", "device")]
            flow = b.edge_index[("fragment", "flow", "fragment")]
            link = b.edge_index[("device", "link", "device")]
            has = b.edge_index[("chain", "has", "fragment")]
            source = b.edge_index[("chain", "source", "device")]
            for _ in range(self.rounds):
                hf, hd, hc = h["fragment"], h["device"], h["chain"]
                m_dev = self.mean(self.msg["dev2frag"](hd[place[1]]), place[0], n["fragment"])
                m_fwd = self.mean(self.msg["flow_fwd"](torch.cat([hf[flow[0]], hf[flow[1]], flow_attr], 1)), flow[1],
                                  n["fragment"])
                m_bwd = self.mean(self.msg["flow_bwd"](torch.cat([hf[flow[1]], hf[flow[0]], flow_attr], 1)), flow[0],
                                  n["fragment"])
                m_chain = self.mean(self.msg["chain2frag"](hc[has[0]]), has[1], n["fragment"])
                m_frag_dev = self.mean(self.msg["frag2dev"](hf[place[0]]), place[1], n["device"])
                m_link = self.mean(self.msg["link"](torch.cat([hd[link[0]], hd[link[1]], link_attr], 1)), link[1],
                                   n["device"])
                m_frag_chain = self.mean(self.msg["frag2chain"](hf[has[1]]), has[0], n["chain"])
                m_src = self.mean(self.msg["src2chain"](hd[source[1]]), source[0], n["chain"])
                h = {"fragment": hf + self.upd["fragment"](torch.cat([hf, m_dev, m_fwd, m_bwd, m_chain], 1)),
                     "device": hd + self.upd["device"](torch.cat([hd, m_frag_dev, m_link], 1)),
                     "chain": hc + self.upd["chain"](torch.cat([hc, m_frag_chain, m_src], 1))}
            hf, hc = h["fragment"], h["chain"]
            total = torch.zeros_like(hc).index_add_(0, has[0], hf[has[1]])
            count = torch.zeros(hc.shape[0], device=hc.device).index_add_(
                0, has[0], torch.ones_like(has[0], dtype=hc.dtype)).clamp(min=1)
            return self.head(torch.cat([hc, total, total / count.unsqueeze(1)], 1))

    return HeteroMP()


def errors(ds, rows, loss_pred, thr_pred, lat_pred):
    """Test errors over chain rows `rows`: loss MAE, throughput and latency MAPE."""
    y = ds.y["chain"][rows]
    loss = y[:, ds.target("chain", "loss_ratio")]
    thr = y[:, ds.target("chain", "throughput")]
    lat = y[:, ds.target("chain", "latency_mean")]
    ok_thr = thr > 0
    ok_lat = np.isfinite(lat) & (lat > 0)
    return {"loss_mae": float(np.mean(np.abs(loss_pred - loss))),
            "throughput_mape": float(np.mean(np.abs(thr_pred[ok_thr] - thr[ok_thr]) / thr[ok_thr])),
            "latency_mape": float(np.mean(np.abs(lat_pred[ok_lat] - lat[ok_lat]) / lat[ok_lat])),
            "chains": int(len(rows))}


def rows_of(ds, graphs, node_type="chain"):
    """Row indices of the `node_type` nodes of `graphs`, in batch order."""
    p = ds.ptr[node_type]
    return np.concatenate([np.arange(p[g], p[g + 1]) for g in graphs]) if len(graphs) else np.zeros(0, int)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--batch", type=int, default=64, help="graphs per batch")
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--l1", type=float, default=1.0, help="weight of the loss-ratio absolute error term")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: torch default)")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args(argv)

    try:
        import torch
    except ImportError:
        print("train_gnn.py needs PyTorch (Debian: apt install python3-torch)", file=sys.stderr)
        return 2
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    ds = gnn_dataset.load_dataset(args.dataset)
    G = len(ds)
    if G < 10:
        print(f"{args.dataset}: {G} graphs; need at least 10 to split", file=sys.stderr)
        return 1
    perm = np.random.default_rng(args.seed).permutation(G)
    n_train, n_val = int(0.8 * G), int(0.1 * G)
    split = {"train": perm[:n_train], "val": perm[n_train:n_train + n_val], "test": perm[n_train + n_val:]}
    transform = feature_transform(ds)
    # The model sees the queueing approximation's per-station estimates and predicts a
    # correction to its per-chain estimates (residual learning on top of the baseline).
    base_frag, base_chain = baseline_inputs(ds)
    base_mu = {"fragment": base_frag.mean(0), "chain": base_chain.mean(0)}
    base_sd = {"fragment": base_frag.std(0) + 1e-6, "chain": base_chain.std(0) + 1e-6}
    base_rows = {"fragment": base_frag, "chain": base_chain}

    def prepare(graphs):
        b = ds.batch(graphs)
        x = {}
        for t, (keep, mu, sd) in transform.items():
            x[t] = (np.log1p(np.maximum(b.x[t][:, keep], 0)) - mu) / sd
            if t in base_rows:
                extra = base_rows[t][rows_of(ds, graphs, t)]
                x[t] = np.concatenate([x[t], (extra - base_mu[t]) / base_sd[t]], 1)
        prior = base_chain[rows_of(ds, graphs)]
        fa = np.log1p(np.maximum(b.edge_attr[("fragment", "flow", "fragment")], 0) * [1e-3, 1e3])
        la = np.stack([np.log(np.maximum(b.edge_attr[("device", "link", "device")][:, 0], 1)) / 20,
                       np.log1p(b.edge_attr[("device", "link", "device")][:, 1] * 1e3)], 1) \
            if b.edge_attr[("device", "link", "device")].size else np.zeros((0, 2))
        target, mask = chain_targets(ds, b.y["chain"], b.x["chain"])
        tb = gnn_dataset.to_torch(b, device)
        as_t = lambda a: torch.as_tensor(np.asarray(a, np.float32), device=device)  # noqa: E731
        return (tb, {t: as_t(v) for t, v in x.items()}, as_t(fa), as_t(la), as_t(prior), as_t(np.nan_to_num(target)),
                torch.as_tensor(mask, device=device))

    dims = {t: len(transform[t][0]) + (base_rows[t].shape[1] if t in base_rows else 0) for t in transform}
    model = build_model(torch, dims, {"flow": 2, "link": 2}, args.hidden, args.rounds).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=args.epochs)
    rng = np.random.default_rng(args.seed + 1)
    batches_val = prepare(split["val"])
    batches_test = prepare(split["test"])

    def predict(batch):
        tb, x, fa, la, prior, target, mask = batch
        model.eval()
        with torch.no_grad():
            out = (prior + model(tb, x, fa, la)).cpu().numpy()
        rate = tb.x["chain"][:, ds.column("chain", "arrival_rate")].cpu().numpy()
        return 1 / (1 + np.exp(-out[:, 0])), rate * np.exp(out[:, 2]), np.exp(out[:, 1])

    def loss_fn(out, target, mask):
        loss_term = torch.nn.functional.binary_cross_entropy_with_logits(out[:, 0], target[:, 0])
        # The judged error is the absolute error of the ratio, mostly small: add it directly.
        loss_term = loss_term + args.l1 * (torch.sigmoid(out[:, 0]) - target[:, 0]).abs().mean()
        lat_term = ((out[:, 1] - target[:, 1]) ** 2 * mask).sum() / mask.sum().clamp(min=1)
        thr_term = ((out[:, 2] - target[:, 2]) ** 2).mean()
        return loss_term + 0.5 * lat_term + thr_term

    # Batches are assembled once (a fixed partition of the shuffled training graphs); each
    # epoch visits them in a new order.
    order = rng.permutation(split["train"])
    chunks = [order[i:i + args.batch] for i in range(0, len(order), args.batch)]
    train_batches = [(len(chunk), prepare(chunk)) for chunk in chunks]
    best = (math.inf, None)
    start = time.time()
    for epoch in range(args.epochs):
        model.train()
        total = 0.0
        for k in rng.permutation(len(train_batches)):
            size, (tb, x, fa, la, prior, target, mask) = train_batches[k]
            optimiser.zero_grad()
            loss = loss_fn(prior + model(tb, x, fa, la), target, mask)
            loss.backward()
            optimiser.step()
            total += float(loss) * size
        scheduler.step()
        lp, tp, sp = predict(batches_val)
        val = errors(ds, rows_of(ds, split["val"]), lp, tp, sp)
        score = val["loss_mae"] + 0.1 * val["latency_mape"] + 0.1 * val["throughput_mape"]
        if score < best[0]:
            best = (score, {k: v.detach().clone() for k, v in model.state_dict().items()})
        if epoch % 10 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:4d}  train {total / len(split['train']):.4f}  val loss MAE {val['loss_mae']:.4f}  "
                  f"thr MAPE {val['throughput_mape']:.3f}  lat MAPE {val['latency_mape']:.3f}  "
                  f"({time.time() - start:.0f} s)", flush=True)
    model.load_state_dict(best[1])
    test_rows = rows_of(ds, split["test"])
    lp, tp, sp = predict(batches_test)
    gnn = errors(ds, test_rows, lp, tp, sp)
    parts = [queueing_baseline.predict(ds, int(g)) for g in split["test"]]
    base = errors(ds, test_rows, *(np.concatenate([p[k] for p in parts])
                                   for k in ("loss_ratio", "throughput", "latency_mean")))
    result = {"dataset": os.path.abspath(args.dataset), "graphs": G, "split": {k: int(len(v)) for k, v in split.items()},
              "epochs": args.epochs, "hidden": args.hidden, "rounds": args.rounds,
              "l1": args.l1, "seed": args.seed, "device": str(device),
              "train_seconds": time.time() - start, "gnn": gnn, "baseline": base}
    print(f"\ntest ({gnn['chains']} chains of {len(split['test'])} graphs)   loss MAE   throughput MAPE   "
          f"response time MAPE")
    print(f"  GNN                         {gnn['loss_mae']:8.4f}   {gnn['throughput_mape']:15.3f}   "
          f"{gnn['latency_mape']:18.3f}")
    print(f"  queueing approximation      {base['loss_mae']:8.4f}   {base['throughput_mape']:15.3f}   "
          f"{base['latency_mape']:18.3f}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(result, out, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
