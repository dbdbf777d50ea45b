"""Loader for edgesim GNN datasets (`edgesim dataset`, README "Dataset file").

A dataset file holds G graphs. Each graph has three node types and five relations:

  device    /nodes/device/x    [N_dev, F]   cpu speed, cores, RAM, idle/busy power, K, ...
  chain     /nodes/chain/x     [N_chain, F] arrival rate, input bytes, model, ...
  fragment  /nodes/fragment/x  [N_frag, F]  flops, bytes in/out, params, exit prob., ...

  (fragment, flow, fragment)      /edges/flow/index       [E, 2] + attr bytes, transfer_time
  (fragment, placed_on, device)   /edges/placement/index  [E, 2]
  (device, link, device)          /edges/link/index       [E, 2] + attr bandwidth, latency
  (chain, has, fragment)          derived from the fragment column `chain`
  (chain, source, device)         derived from the chain column `source`

Rows of graph g are the slice [ptr[g], ptr[g + 1]) of the CSR offsets in /graph/*_ptr, and
edge indices are local to their graph (node row minus the graph's first row), so a graph
is a plain slice and files (shards) concatenate. Targets: /targets/chain/y (throughput,
latency mean/p50/p95/p99, loss_ratio, energy_j, accuracy, ...) and /targets/device/y.
Column names are in each array's `columns` attribute.

`load_dataset(path)` reads the arrays into numpy (a 70k-sample dataset is ~0.2 GB).
`GnnDataset.graph(g)` gives one graph, `GnnDataset.batch(graphs)` a disjoint union with
global indices (numpy, or torch tensors with `as_torch=True`),
`GnnDataset.hetero_data(g)` a PyTorch Geometric `HeteroData` when that package is
installed, and `GnnDataset.extract(g, directory)` the files that re-simulate sample g
with `edgesim run`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence

import h5py
import numpy as np

NODE_TYPES = ("device", "chain", "fragment")
STORED_RELATIONS = {
    ("fragment", "flow", "fragment"): "flow",
    ("fragment", "placed_on", "device"): "placement",
    ("device", "link", "device"): "link",
}
DERIVED_RELATIONS = (("chain", "has", "fragment"), ("chain", "source", "device"))
RELATIONS = tuple(STORED_RELATIONS) + DERIVED_RELATIONS


def _columns(dataset: h5py.Dataset) -> List[str]:
    value = dataset.attrs.get("columns", "")
    if isinstance(value, bytes):
        value = value.decode()
    return [c for c in str(value).split(",") if c]


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class Graph:
    """One graph (or a batch of graphs) with indices into its own node arrays."""
    x: Dict[str, object]
    edge_index: Dict[tuple, object]      # relation -> [2, E]
    edge_attr: Dict[tuple, object]       # relation -> [E, F] (flow, link)
    y: Dict[str, object]                 # "chain", "device"
    graph_of: Dict[str, object] = field(default_factory=dict)  # node type -> graph id per node
    num_graphs: int = 1


class GnnDataset:
    """All arrays of a dataset file in memory."""

    def __init__(self, path: str):
        self.path = os.fspath(path)
        with h5py.File(self.path, "r") as f:
            meta = f["meta"].attrs
            if _text(meta.get("format", "")) != "edgesim-gnn-dataset":
                raise ValueError(f"{self.path}: not an edgesim GNN dataset (no /meta format attribute)")
            self.meta = {k: (_text(v) if isinstance(v, (bytes, str)) else v) for k, v in meta.items()}
            self.ptr = {k[:-4]: f["graph"][k][:].astype(np.int64) for k in f["graph"]}
            self.x = {t: f["nodes"][t]["x"][:] for t in NODE_TYPES}
            self.columns = {t: _columns(f["nodes"][t]["x"]) for t in NODE_TYPES}
            self.y = {t: f["targets"][t]["y"][:] for t in ("chain", "device")}
            self.target_columns = {t: _columns(f["targets"][t]["y"]) for t in ("chain", "device")}
            self.edges = {}
            self.edge_attr = {}
            self.edge_columns = {}
            for relation, name in STORED_RELATIONS.items():
                group = f["edges"][name]
                self.edges[relation] = group["index"][:].astype(np.int64).reshape(-1, 2)
                if "attr" in group:
                    self.edge_attr[relation] = group["attr"][:]
                    self.edge_columns[relation] = _columns(group["attr"])
            self.sample_index = f["samples"]["index"][:].astype(np.int64)
            self.sample_seed = f["samples"]["seed"][:].astype(np.int64)
        self._pointer_of = {"device": "device", "chain": "chain", "fragment": "fragment",
                            ("fragment", "flow", "fragment"): "flow",
                            ("fragment", "placed_on", "device"): "placement",
                            ("device", "link", "device"): "link"}

    def __len__(self) -> int:
        return len(self.sample_index)

    def column(self, node_type: str, name: str) -> int:
        return self.columns[node_type].index(name)

    def target(self, node_type: str, name: str) -> int:
        return self.target_columns[node_type].index(name)

    def _slice(self, key, g: int) -> slice:
        p = self.ptr[self._pointer_of[key]]
        return slice(int(p[g]), int(p[g + 1]))

    def graph(self, g: int) -> Graph:
        """Graph g with local indices (numpy)."""
        return self.batch([g])

    def batch(self, graphs: Iterable[int], as_torch: bool = False, device=None) -> Graph:
        """Disjoint union of `graphs`: node arrays concatenated, edge indices shifted."""
        graphs = [int(g) for g in graphs]
        xs = {t: [] for t in NODE_TYPES}
        ys = {t: [] for t in ("chain", "device")}
        graph_of = {t: [] for t in NODE_TYPES}
        edges = {r: [] for r in RELATIONS}
        attrs = {r: [] for r in self.edge_attr}
        offset = {t: 0 for t in NODE_TYPES}
        chain_col = self.column("fragment", "chain")
        source_col = self.column("chain", "source")
        for b, g in enumerate(graphs):
            sl = {t: self._slice(t, g) for t in NODE_TYPES}
            for t in NODE_TYPES:
                xs[t].append(self.x[t][sl[t]])
                graph_of[t].append(np.full(sl[t].stop - sl[t].start, b, np.int64))
            ys["chain"].append(self.y["chain"][sl["chain"]])
            ys["device"].append(self.y["device"][sl["device"]])
            for relation in STORED_RELATIONS:
                es = self._slice(relation, g)
                src_type, _, dst_type = relation
                local = self.edges[relation][es]
                edges[relation].append(np.stack([local[:, 0] + offset[src_type], local[:, 1] + offset[dst_type]]))
                if relation in attrs:
                    attrs[relation].append(self.edge_attr[relation][es])
            frag = self.x["fragment"][sl["fragment"]]
            n_frag = frag.shape[0]
            edges[("chain", "has", "fragment")].append(np.stack([
                frag[:, chain_col].astype(np.int64) + offset["chain"],
                np.arange(n_frag, dtype=np.int64) + offset["fragment"]]))
            chains = self.x["chain"][sl["chain"]]
            edges[("chain", "source", "device")].append(np.stack([
                np.arange(chains.shape[0], dtype=np.int64) + offset["chain"],
                chains[:, source_col].astype(np.int64) + offset["device"]]))
            for t in NODE_TYPES:
                offset[t] += sl[t].stop - sl[t].start

        def cat(parts, width):
            return np.concatenate(parts) if parts else np.zeros((0, width))

        out = Graph(
            x={t: cat(xs[t], len(self.columns[t])) for t in NODE_TYPES},
            edge_index={r: (np.concatenate(edges[r], axis=1) if edges[r] else np.zeros((2, 0), np.int64))
                        for r in RELATIONS},
            edge_attr={r: cat(attrs[r], self.edge_attr[r].shape[1]) for r in attrs},
            y={t: cat(ys[t], len(self.target_columns[t])) for t in ys},
            graph_of={t: np.concatenate(graph_of[t]) if graph_of[t] else np.zeros(0, np.int64)
                      for t in NODE_TYPES},
            num_graphs=len(graphs))
        return to_torch(out, device) if as_torch else out

    def hetero_data(self, g: int):
        """Graph g as a torch_geometric.data.HeteroData (ImportError without PyG)."""
        from torch_geometric.data import HeteroData  # optional dependency
        t = to_torch(self.graph(g))
        data = HeteroData()
        for node_type in NODE_TYPES:
            data[node_type].x = t.x[node_type]
        for relation in RELATIONS:
            data[relation].edge_index = t.edge_index[relation]
            if relation in t.edge_attr:
                data[relation].edge_attr = t.edge_attr[relation]
        data["chain"].y = t.y["chain"]
        data["device"].y = t.y["device"]
        return data

    def scenario_text(self, g: int) -> str:
        return self._text("scenario", g)

    def platform_text(self, g: int) -> str:
        return self._text("platform", g)

    def _text(self, name: str, g: int) -> str:
        p = self.ptr[name]
        with h5py.File(self.path, "r") as f:
            return bytes(f["text"][name][int(p[g]):int(p[g + 1])]).decode()

    def extract(self, g: int, directory: str) -> str:
        """Writes sample g's scenario, platform and models; returns the scenario path."""
        index = int(self.sample_index[g])
        os.makedirs(os.path.join(directory, "models"), exist_ok=True)
        scenario = os.path.join(directory, f"s{index:07d}.toml")
        with open(scenario, "w") as out:
            out.write(self.scenario_text(g))
        with open(os.path.join(directory, f"s{index:07d}.xml"), "w") as out:
            out.write(self.platform_text(g))
        with h5py.File(self.path, "r") as f:
            for name, data in f["models"].items():
                with open(os.path.join(directory, "models", name), "wb") as out:
                    out.write(bytes(data[:]))
        return scenario


def to_torch(graph: Graph, device=None) -> Graph:
    """The same graph with torch tensors (float32 features, int64 indices)."""
    import torch
    f32 = lambda a: torch.as_tensor(np.asarray(a, np.float32), device=device)  # noqa: E731
    i64 = lambda a: torch.as_tensor(np.asarray(a, np.int64), device=device)  # noqa: E731
    return Graph(x={k: f32(v) for k, v in graph.x.items()},
                 edge_index={k: i64(v) for k, v in graph.edge_index.items()},
                 edge_attr={k: f32(v) for k, v in graph.edge_attr.items()},
                 y={k: f32(v) for k, v in graph.y.items()},
                 graph_of={k: i64(v) for k, v in graph.graph_of.items()},
                 num_graphs=graph.num_graphs)


def load_dataset(path) -> GnnDataset:
    return GnnDataset(path)


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
        return True
    except ImportError:
        return False


def main(argv: Optional[Sequence[str]] = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(description="Summarise an edgesim GNN dataset.")
    parser.add_argument("dataset")
    args = parser.parse_args(argv)
    ds = load_dataset(args.dataset)
    print(f"{args.dataset}: {len(ds)} graphs")
    for t in NODE_TYPES:
        print(f"  {t:9s} {ds.x[t].shape[0]:8d} nodes  features: {', '.join(ds.columns[t])}")
    for r in STORED_RELATIONS:
        print(f"  {'-'.join(r):28s} {ds.edges[r].shape[0]:8d} edges")
    for t in ("chain", "device"):
        print(f"  targets/{t}: {', '.join(ds.target_columns[t])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
