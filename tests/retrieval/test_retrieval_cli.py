"""`atelier index build`, `atelier search` and `atelier caption` end to end on a tiny random
encoder and a folder of world product shots; bad input gives one line and status 2."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

from atelier import cli
from atelier.cli import retrieval_commands
from atelier.data.images import save_image_atomic
from atelier.retrieval.encoder_file import save_encoder
from atelier.retrieval.untrained_encoder import untrained_encoder
from atelier.world.tasks import make_record

COUNT = 10


@pytest.fixture(scope="module", autouse=True)
def retrieval_commands_registered():
    """The `atelier` entry point with this group, whether or not it is registered already."""
    with pytest.MonkeyPatch.context() as patch:
        if retrieval_commands not in cli.COMMAND_GROUPS:
            patch.setattr(cli, "COMMAND_GROUPS", (*cli.COMMAND_GROUPS, retrieval_commands))
        yield


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """(weights folder, images folder, the records) with COUNT product shots named by garment id."""
    root = tmp_path_factory.mktemp("catalogue")
    torch.manual_seed(0)
    save_encoder(root / "weights", untrained_encoder("tiny").eval())
    records = [make_record("caption", "test", 0, index, (64, 48)) for index in range(COUNT)]
    (root / "images").mkdir()
    for record in records:
        save_image_atomic(record.garments[0].image, root / "images" / f"{record.garments[0].garment_id}.png")
    return root / "weights", root / "images", records


@pytest.fixture(scope="module")
def index(catalogue, tmp_path_factory):
    weights, images, _ = catalogue
    path = tmp_path_factory.mktemp("index") / "catalogue"
    assert cli.main(["index", "build", "--images", str(images), "--out", str(path), "--weights", str(weights)]) == 0
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def result_ids(output: str, records) -> list[str]:
    """Garment ids in the order the table's rows printed them."""
    ids = {record.garments[0].garment_id for record in records}
    rows = [line for line in output.splitlines() if line.startswith("│")]
    return [cell.strip() for row in rows for cell in row.split("│") if cell.strip() in ids]


def test_build_then_search_by_text_image_composed_and_item(catalogue, index, capsys):
    weights, images, records = catalogue
    first = records[0].garments[0].garment_id
    status, out, _ = run(capsys, "search", "--index", str(index), "--text", "red dress", "-k", "3", "--weights", str(weights))
    assert status == 0 and len(result_ids(out, records)) == 3 and "score" in out
    status, out, _ = run(capsys, "search", "--index", str(index), "--image", str(images / f"{first}.png"), "--weights", str(weights))
    assert status == 0 and result_ids(out, records)[0] == first  # an indexed image finds itself first
    assert f"{first}.png" in out  # the metadata's file name
    status, out, _ = run(capsys, "search", "--index", str(index), "--image", str(images / f"{first}.png"), "--text", "is red", "-k", "4", "--weights", str(weights))
    assert status == 0 and len(result_ids(out, records)) == 4
    status, out, _ = run(capsys, "search", "--index", str(index), "--like", first, "-k", "20", "--weights", str(weights))
    assert status == 0 and first not in result_ids(out, records) and len(result_ids(out, records)) == COUNT - 1


def test_an_hnsw_index_answers_like_the_exact_one(catalogue, index, tmp_path, capsys):
    weights, images, records = catalogue
    hnsw = tmp_path / "hnsw"
    status, _, _ = run(capsys, "index", "build", "--images", str(images), "--out", str(hnsw), "--kind", "hnsw", "--weights", str(weights))
    assert status == 0
    outputs = [run(capsys, "search", "--index", str(path), "--text", "red dress", "-k", "3", "--weights", str(weights))[1] for path in (index, hnsw)]
    assert result_ids(outputs[0], records) == result_ids(outputs[1], records)  # ten items: HNSW finds them all


def test_caption_command_prints_one_caption(catalogue, capsys):
    weights, images, records = catalogue
    image = images / f"{records[1].garments[0].garment_id}.png"
    status, out, _ = run(capsys, "caption", str(image), "--style", "short", "--weights", str(weights))
    assert status == 0 and out.endswith("\n") and len(out.splitlines()) == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--text", "   "], "query text is empty"),
        ([], "give a query"),
        (["--like", "no-such-garment"], "unknown catalogue item id 'no-such-garment'"),
        (["--like", "x", "--text", "red"], "--like searches by an indexed item alone"),
    ],
)
def test_bad_queries_are_one_line_errors(catalogue, index, capsys, arguments, message):
    weights, _, _ = catalogue
    status, out, err = run(capsys, "search", "--index", str(index), *arguments, "--weights", str(weights))
    assert status == 2 and out == "" and message in err and len(err.strip().splitlines()) == 1


def test_missing_corrupt_and_foreign_indexes_and_bad_images_are_refused(catalogue, index, tmp_path, capsys):
    weights, _, _ = catalogue
    status, _, err = run(capsys, "search", "--index", str(tmp_path / "nowhere"), "--text", "red", "--weights", str(weights))
    assert status == 2 and "no saved index" in err

    broken = tmp_path / "broken"
    shutil.copytree(index, broken)
    with open(broken / "index.faiss", "r+b") as file:
        file.seek(40)
        file.write(b"\x00garbage\x00")
    status, _, err = run(capsys, "search", "--index", str(broken), "--text", "red", "--weights", str(weights))
    assert status == 2 and "unusable" in err and "checksum" in err and len(err.strip().splitlines()) == 1

    torch.manual_seed(1)
    save_encoder(tmp_path / "other", untrained_encoder("tiny"))
    status, _, err = run(capsys, "search", "--index", str(index), "--text", "red", "--weights", str(tmp_path / "other"))
    assert status == 2 and "another encoder" in err

    (tmp_path / "not-an-image.png").write_bytes(b"hello")
    status, _, err = run(capsys, "search", "--index", str(index), "--image", str(tmp_path / "not-an-image.png"), "--weights", str(weights))
    assert status == 2 and "not-an-image.png" in err


def test_a_folder_with_a_bad_image_writes_no_index(catalogue, tmp_path, capsys):
    weights, images, _ = catalogue
    folder = tmp_path / "images"
    shutil.copytree(images, folder)
    (folder / "zz-broken.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    status, _, err = run(capsys, "index", "build", "--images", str(folder), "--out", str(tmp_path / "index"), "--weights", str(weights))
    assert status == 2 and "zz-broken.png" in err
    assert not (tmp_path / "index").exists()
    status, _, err = run(capsys, "index", "build", "--images", str(tmp_path / "empty"), "--out", str(tmp_path / "index"), "--weights", str(weights))
    assert status == 2 and "no image folder" in err


def test_index_build_is_the_stores_exact_search_of_the_encoders_embeddings(catalogue, index):
    """The saved index ranks exactly as the full similarity matrix of the encoder's embeddings."""
    from atelier.data.images import load_image
    from atelier.retrieval.encoder_file import load_encoder
    from atelier.retrieval.faiss_store import FaissStore
    from atelier.retrieval.image_preprocessing import images_to_tensor

    weights, images, records = catalogue
    encoder = load_encoder(weights)
    ids = sorted(record.garments[0].garment_id for record in records)
    with torch.no_grad():
        gallery = encoder.embed_images(images_to_tensor([load_image(images / f"{i}.png") for i in ids], (64, 48))).numpy()
        queries = encoder.embed_texts(["red dress", "navy coat with white stripes", "bag"]).numpy()
    store = FaissStore.load(index)
    hits = store.search(queries, COUNT)
    full = queries @ gallery.T
    for row, row_hits in enumerate(hits):
        assert [hit.id for hit in row_hits] == [ids[j] for j in np.argsort(-full[row], kind="stable")]
        np.testing.assert_allclose([hit.score for hit in row_hits], np.sort(full[row])[::-1], atol=1e-5)
