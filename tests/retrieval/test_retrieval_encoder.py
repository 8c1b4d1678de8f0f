"""The retrieval encoder's shapes and wiring, on the tiny preset."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from atelier.retrieval.encoder_config import PRESETS, RetrievalEncoderConfig
from atelier.retrieval.image_preprocessing import fit_image, images_to_tensor
from atelier.retrieval.untrained_encoder import untrained_encoder
from atelier.world.tasks import make_record

TINY = PRESETS["tiny"]


@pytest.fixture(scope="module")
def encoder():
    torch.manual_seed(0)
    return untrained_encoder("tiny").eval()


@pytest.fixture(scope="module")
def images():
    shots = [make_record("caption", "train", 0, index, (64, 48)).garments[0].image for index in range(3)]
    return images_to_tensor(shots, TINY.image_size)


def test_image_features_and_queries_have_the_configured_shapes(encoder, images):
    features = encoder.image_features(images)
    grid_height, grid_width = TINY.feature_grid
    assert features.shape == (3, grid_height * grid_width, TINY.width)
    assert encoder.image_queries(features).shape == (3, TINY.num_queries, TINY.width)


def test_embeddings_are_unit_vectors_in_one_space(encoder, images):
    with torch.no_grad():
        image_embeddings = encoder.embed_images(images)
        text_embeddings = encoder.embed_texts(["red dress", "a navy striped t-shirt with long sleeves"])
        composed = encoder.embed_composed(images[:2], ["is red", "has long sleeves"])
    assert image_embeddings.shape == (3, TINY.embed_dim)
    assert text_embeddings.shape == composed.shape == (2, TINY.embed_dim)
    for embeddings in (image_embeddings, text_embeddings, composed):
        torch.testing.assert_close(embeddings.norm(dim=1), torch.ones(len(embeddings)))


def test_composed_embedding_reads_both_the_image_and_the_text(encoder, images):
    with torch.no_grad():
        base = encoder.embed_composed(images[:1], ["is red"])
        other_text = encoder.embed_composed(images[:1], ["has white dots"])
        other_image = encoder.embed_composed(images[1:2], ["is red"])
    assert not torch.allclose(base, other_text, atol=1e-5)
    assert not torch.allclose(base, other_image, atol=1e-5)


def test_padding_does_not_change_a_text_embedding(encoder):
    with torch.no_grad():
        alone = encoder.embed_texts(["red dress"])
        padded = encoder.embed_texts(["red dress", "a long detailed description of a very different garment in blue"])[:1]
        composed_alone = encoder.embed_composed(torch.zeros(1, 3, 64, 48), ["is red"])
        composed_padded = encoder.embed_composed(torch.zeros(2, 3, 64, 48), ["is red", "is much longer and has stripes now"])[:1]
    torch.testing.assert_close(alone, padded, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(composed_alone, composed_padded, atol=1e-5, rtol=1e-5)


def test_matching_and_caption_heads_shapes(encoder, images):
    features = encoder.image_features(images)
    input_ids, attention_mask = encoder.tokenize(["red dress", "blue coat", "pink bag"])
    assert encoder.match_logits(features, input_ids, attention_mask).shape == (3, 2)
    logits = encoder.caption_logits(encoder.image_queries(features), input_ids)
    assert logits.shape == (*input_ids.shape, TINY.vocab_size)


def test_caption_decoder_is_causal(encoder, images):
    queries = encoder.image_queries(encoder.image_features(images[:1]))
    ids, _ = encoder.tokenize(["short: red striped dress"])
    changed = ids.clone()
    changed[0, -2] = (changed[0, -2] + 1) % TINY.vocab_size
    with torch.no_grad():
        before, after = encoder.caption_logits(queries, ids), encoder.caption_logits(queries, changed)
    torch.testing.assert_close(before[:, :-2], after[:, :-2])  # earlier positions never see later tokens
    assert not torch.allclose(before[:, -2:], after[:, -2:])


def test_texts_longer_than_the_position_table_are_cut(encoder):
    ids, mask = encoder.tokenize(["red " * 200])
    assert ids.shape[1] == TINY.max_text_length and mask.all()


def test_config_round_trips_and_rejects_unknown_keys():
    assert RetrievalEncoderConfig.from_dict(TINY.to_dict()) == TINY
    with pytest.raises(ValueError, match="unknown"):
        RetrievalEncoderConfig.from_dict({**TINY.to_dict(), "colour_heads": 3})
    with pytest.raises(ValueError, match="multiple"):
        RetrievalEncoderConfig(image_size=(60, 48))


def test_any_picture_is_padded_to_the_encoder_aspect():
    wide = np.zeros((30, 120, 3), np.uint8)
    fitted = fit_image(wide, (64, 48))
    assert fitted.shape == (64, 48, 3)
    assert fitted[0, 24].tolist() != [0, 0, 0]  # the top rows are padding (backdrop colour)
    tensor = images_to_tensor([wide, np.full((64, 48, 3), 255, np.uint8)], (64, 48))
    assert tensor.shape == (2, 3, 64, 48) and tensor.min() >= -1 and tensor.max() <= 1
