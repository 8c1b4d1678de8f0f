"""Build time, queries per second and recall@10 of the vector stores at shop scale.

Usage:
    python benchmarks/index_scale.py                      # 1M vectors in FAISS, 100k in Qdrant
    python benchmarks/index_scale.py --n 100000 --qdrant-n 10000

Data: 256-d vectors drawn from a mixture of Gaussians (`--clusters` centres on the unit sphere,
isotropic noise of norm about `--spread`), L2-normalised, as embeddings of a catalogue group by
kind of product. Uniform random vectors are avoided on purpose: in 256-d they are all nearly
equidistant, so there is no neighbourhood for a graph index to follow and HNSW recall on them is
a pathological worst case that says nothing about recall on real embeddings.

Measured, in one run: FAISS "hnsw" and "exact" stores over `--n` vectors, and a Qdrant store in
local mode over the first `--qdrant-n` (in memory; `--qdrant-on-disk` adds local mode's SQLite
persistence, which writes each point and costs milliseconds per point). Recall@10 is against
exact search (FAISS IndexFlatIP) over the same vectors; qps is for one batch of `--queries`
queries (FAISS spreads a batch over all cores; Qdrant's local mode answers them one by one).

Bounded in time: each build gets a share of `--budget-s`; a build that runs out stops adding,
and every figure is then for the size actually indexed (`faiss_n`, `qdrant_n`). Searches come
on top (about a minute at the default sizes on 2 cores).

Prints one `name=value` figure per line on stdout; progress bars go to stderr.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings

import faiss
import numpy as np
from tqdm import tqdm

from atelier.retrieval.faiss_store import FaissStore
from atelier.retrieval.qdrant_store import QdrantStore
from atelier.retrieval.store import VectorStore

ADD_CHUNK = 20_000  # vectors per add() call: the unit of progress and of the time check
HNSW_BUDGET_SHARE = 0.6  # the rest of --budget-s goes to Qdrant (exact builds are quick)


def figure(name: str, value: float | int | str) -> None:
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    print(f"{name}={text}", flush=True)


def clustered_vectors(
    count: int, centres: np.ndarray, spread: float, rng: np.random.Generator
) -> np.ndarray:
    """Samples of a Gaussian mixture: (count, D) float32, each row a centre plus noise."""
    dim = centres.shape[1]
    out = np.empty((count, dim), dtype=np.float32)
    for start in range(0, count, 100_000):
        end = min(count, start + 100_000)
        labels = rng.integers(len(centres), size=end - start)
        noise = rng.standard_normal((end - start, dim), dtype=np.float32)
        out[start:end] = centres[labels] + noise * (spread / np.sqrt(dim))
    return out


def add_within(
    store: VectorStore, ids: list[str], vectors: np.ndarray, deadline: float, label: str
) -> tuple[int, float]:
    """Adds vectors in chunks until done or past `deadline`; returns (count added, seconds)."""
    started = time.perf_counter()
    added = 0
    with tqdm(total=len(ids), desc=label, unit="vec", unit_scale=True) as progress:
        for start in range(0, len(ids), ADD_CHUNK):
            if time.perf_counter() > deadline:
                tqdm.write(f"{label}: time budget spent after {added} vectors")
                break
            end = min(start + ADD_CHUNK, len(ids))
            store.add(ids[start:end], vectors[start:end])
            added = end
            progress.update(end - start)
    return added, time.perf_counter() - started


def timed_search(store: VectorStore, queries: np.ndarray, k: int) -> tuple[list[set[str]], float]:
    """Top-k id sets of each query and the queries per second of the batch."""
    started = time.perf_counter()
    hits = store.search(queries, k)
    seconds = time.perf_counter() - started
    return [{hit.id for hit in row} for row in hits], len(queries) / seconds


def recall(found: list[set[str]], truth: list[set[str]], k: int) -> float:
    return float(np.mean([len(got & want) / k for got, want in zip(found, truth)]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="vectors in the FAISS stores")
    parser.add_argument("--qdrant-n", type=int, default=100_000, help="vectors in Qdrant")
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--clusters", type=int, default=1000)
    parser.add_argument("--spread", type=float, default=1.0, help="noise norm around a centre")
    parser.add_argument("--hnsw-m", type=int, default=32)
    parser.add_argument("--ef-construction", type=int, default=40)
    parser.add_argument("--ef-search", type=int, default=64)
    parser.add_argument(
        "--ef-sweep", default="128,256,512", help="more ef_search values to report qps/recall at"
    )
    parser.add_argument("--budget-s", type=float, default=840.0, help="time for all builds")
    parser.add_argument("--qdrant-on-disk", action="store_true", help="local mode with a path")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    k = args.k

    rng = np.random.default_rng(args.seed)
    centres = rng.standard_normal((args.clusters, args.dim), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    vectors = clustered_vectors(max(args.n, args.qdrant_n), centres, args.spread, rng)
    queries = clustered_vectors(args.queries, centres, args.spread, rng)
    ids = [f"p{index}" for index in range(len(vectors))]
    figure("dim", args.dim)
    figure("queries", args.queries)
    figure("faiss_threads", faiss.omp_get_max_threads())

    hnsw = FaissStore(
        args.dim,
        "hnsw",
        hnsw_m=args.hnsw_m,
        hnsw_ef_construction=args.ef_construction,
        ef_search=args.ef_search,
    )
    hnsw_deadline = started + HNSW_BUDGET_SHARE * args.budget_s
    faiss_n, hnsw_build_s = add_within(hnsw, ids[: args.n], vectors, hnsw_deadline, "faiss hnsw")
    exact = FaissStore(args.dim, "exact")
    _, exact_build_s = add_within(exact, ids[:faiss_n], vectors, float("inf"), "faiss exact")
    truth, exact_qps = timed_search(exact, queries, k)
    found, hnsw_qps = timed_search(hnsw, queries, k)
    figure("faiss_n", faiss_n)
    figure("faiss_hnsw_m", args.hnsw_m)
    figure("faiss_hnsw_ef_search", args.ef_search)
    figure("faiss_exact_build_s", exact_build_s)
    figure("faiss_hnsw_build_s", hnsw_build_s)
    figure("faiss_exact_qps", exact_qps)
    figure("faiss_hnsw_qps", hnsw_qps)
    figure(f"faiss_hnsw_recall@{k}", recall(found, truth, k))
    for ef_search in [int(value) for value in args.ef_sweep.split(",") if value]:
        hnsw.ef_search = ef_search  # recall bought with search time, same graph
        found, qps = timed_search(hnsw, queries, k)
        figure(f"faiss_hnsw_ef{ef_search}_qps", qps)
        figure(f"faiss_hnsw_ef{ef_search}_recall@{k}", recall(found, truth, k))
    del hnsw, exact

    with tempfile.TemporaryDirectory() as directory, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # local mode warns above 20k points; that is the point
        place = {"path": directory} if args.qdrant_on_disk else {"location": ":memory:"}
        qdrant = QdrantStore(args.dim, **place)
        qdrant_deadline = started + args.budget_s
        qdrant_ids = ids[: args.qdrant_n]
        qdrant_n, qdrant_build_s = add_within(
            qdrant, qdrant_ids, vectors, qdrant_deadline, "qdrant local"
        )
        reference = FaissStore(args.dim, "exact")
        reference.add(ids[:qdrant_n], vectors[:qdrant_n])
        truth, _ = timed_search(reference, queries, k)
        found, qdrant_qps = timed_search(qdrant, queries, k)
        qdrant.close()
    figure("qdrant_n", qdrant_n)
    figure("qdrant_local_mode", "disk" if args.qdrant_on_disk else "memory")
    figure("qdrant_local_build_s", qdrant_build_s)
    figure("qdrant_local_qps", qdrant_qps)
    figure(f"qdrant_local_recall@{k}", recall(found, truth, k))
    figure("total_s", time.perf_counter() - started)


if __name__ == "__main__":
    main()
