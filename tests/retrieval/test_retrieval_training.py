"""The run config, the batch order, the pools and a resumable tiny training run."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest
import torch

from atelier.retrieval.encoder_file import load_encoder
from atelier.retrieval.training_config import (
    RetrievalConfigError,
    RetrievalRunConfig,
    load_retrieval_config,
)
from atelier.retrieval.training_loop import RunFolderInUse, train_retrieval
from atelier.retrieval.training_pools import (
    load_pool,
    read_fashioniq_pool,
    render_composed_pool,
    save_pool,
)
from atelier.retrieval.training_sampler import (
    batch_indices,
    composed_batch,
    epoch_order,
)
from atelier.retrieval.training_state import STATE_FILE
from atelier.world.export import export_world


def tiny_config(tmp_path, **changes) -> RetrievalRunConfig:
    config = load_retrieval_config("configs/retrieval-tiny.yaml")
    return dataclasses.replace(
        config, output_dir=str(tmp_path / "run"), weights_out=str(tmp_path / "weights"), steps=3, **changes
    )


def test_shipped_configs_load_and_typos_are_named(tmp_path):
    assert load_retrieval_config("configs/retrieval.yaml").model.architecture().num_queries == 16
    (tmp_path / "bad.yaml").write_text("steps: 10\nbatch_sise: 4\n")
    with pytest.raises(RetrievalConfigError, match="batch_sise"):
        load_retrieval_config(tmp_path / "bad.yaml")
    (tmp_path / "bad.yaml").write_text("model: {preset: huge}\n")
    with pytest.raises(RetrievalConfigError, match="preset"):
        load_retrieval_config(tmp_path / "bad.yaml")
    (tmp_path / "bad.yaml").write_text("optimizer: {learning_rate: fast}\n")
    with pytest.raises(RetrievalConfigError, match="optimizer.learning_rate"):
        load_retrieval_config(tmp_path / "bad.yaml")


def test_batches_walk_a_fresh_permutation_every_epoch():
    first_epoch = np.concatenate([batch_indices(10, 5, step, seed=0) for step in (0, 1)])
    assert sorted(first_epoch.tolist()) == list(range(10))
    crossing = batch_indices(10, 4, 2, seed=0)  # positions 8..11: two from each epoch
    second_epoch = np.concatenate([batch_indices(10, 5, step, seed=0) for step in (2, 3)])
    assert crossing.tolist() == [*first_epoch[8:].tolist(), *second_epoch[:2].tolist()]
    assert first_epoch.tolist() != second_epoch.tolist()
    assert batch_indices(10, 5, 7, seed=3).tolist() == batch_indices(10, 5, 7, seed=3).tolist()


def category_changes(order, categories) -> int:
    return sum(categories[a] != categories[b] for a, b in itertools.pairwise(order))


def test_grouped_epochs_keep_categories_together_and_still_visit_everything():
    categories = ["dress"] * 20 + ["top"] * 13 + ["bag"] * 7
    order = epoch_order(40, seed=0, epoch=0, categories=categories, group_size=4)
    assert sorted(order.tolist()) == list(range(40))
    # Runs: dress 5, top 4 (the last of one item), bag 2 (the last of three): 11 runs, so at
    # most 10 changes of category; a free shuffle of 40 changes about 25 times.
    assert category_changes(order, categories) <= 10
    assert order.tolist() != epoch_order(40, seed=0, epoch=1, categories=categories, group_size=4).tolist()
    mixed = np.concatenate([batch_indices(40, 8, step, 0) for step in range(5)])
    assert category_changes(mixed, categories) > 15


def test_world_texts_are_written_afresh_and_pools_round_trip(tmp_path):
    pool = render_composed_pool("train", 0, 4, (64, 48), progress=False)
    save_pool(pool, tmp_path / "pool.npz")
    again = load_pool(tmp_path / "pool.npz")
    np.testing.assert_array_equal(again.targets, pool.targets)
    assert again.target_garments == pool.target_garments
    indices = np.arange(4)
    texts = {tuple(composed_batch(pool, indices, step, seed=0).modifications) for step in range(6)}
    assert len(texts) > 1  # the same triplets, other wordings


def test_fashioniq_tree_becomes_a_composed_pool(tmp_path):
    export_world("fashioniq", tmp_path / "fiq", split="train", n=6, size_hw=(64, 48), show_progress=False)
    pool = read_fashioniq_pool(tmp_path / "fiq", "train", (64, 48), progress=False)
    assert len(pool) == 6 and pool.reference_garments is None
    assert all(texts for texts in pool.texts)
    batch = composed_batch(pool, np.arange(6), 0, seed=0)
    assert batch.references.shape == (6, 3, 64, 48)


def test_interrupted_run_resumes_to_the_same_weights(tmp_path):
    straight = tiny_config(tmp_path / "a")
    result = train_retrieval(straight)
    assert result.step == 3 and result.weights is not None
    interrupted = tiny_config(tmp_path / "b")
    assert train_retrieval(interrupted, stop_after=2).weights is None
    with pytest.raises(RunFolderInUse):
        train_retrieval(interrupted)
    resumed = train_retrieval(interrupted, resume=True)
    assert resumed.step == 3
    a = torch.load(tmp_path / "a" / "run" / STATE_FILE, weights_only=True)["model"]
    b = torch.load(tmp_path / "b" / "run" / STATE_FILE, weights_only=True)["model"]
    assert all(torch.equal(a[name], b[name]) for name in a)
    encoder = load_encoder(result.weights)
    assert encoder.config.num_queries == 4
    assert (tmp_path / "a" / "run" / "metrics.csv").read_text().startswith("step,loss,itc,itm,caption,composed")


def test_fashioniq_run_trains_composed_only_and_fine_tunes(tmp_path):
    export_world("fashioniq", tmp_path / "fiq", split="train", n=8, size_hw=(64, 48), show_progress=False)
    first = train_retrieval(tiny_config(tmp_path / "scratch").with_fashioniq(str(tmp_path / "fiq")))
    header = (tmp_path / "scratch" / "run" / "metrics.csv").read_text().splitlines()
    assert header[0].startswith("step,loss,itc,") and header[-1].split(",")[2] == ""  # no itc: no caption batches
    tuned = tiny_config(tmp_path / "tuned", init_weights=str(first.weights)).with_fashioniq(str(tmp_path / "fiq"))
    assert train_retrieval(tuned).weights is not None
