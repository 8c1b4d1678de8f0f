import pytest
import torch
from transformers import T5Config, T5EncoderModel

from atelier.models.text_encoder import PRESETS, TextEncoder, build_text_encoder
from atelier.models.tokenizer import train_tokenizer

TEXTS = ["put the red coat on her", "swap the top for a striped shirt", "add a black bag", "remove the hat"] * 25


@pytest.fixture(scope="module")
def encoder() -> TextEncoder:
    torch.manual_seed(0)
    return build_text_encoder(PRESETS["tiny"], train_tokenizer(TEXTS, vocab_size=400)).eval()


def test_encoding_shapes_and_padding_mask(encoder):
    with torch.no_grad():
        encoding = encoder.encode(["put the red coat on her", "hat"])
    batch, length, width = encoding.embeddings.shape
    assert (batch, width) == (2, PRESETS["tiny"].hidden_size) == (2, encoder.width)
    assert encoding.pooled.shape == (2, width)
    assert encoding.attention_mask.shape == (2, length)
    assert encoding.attention_mask[0].all() and not encoding.attention_mask[1].all()


def test_padding_does_not_change_the_real_tokens(encoder):
    with torch.no_grad():
        alone = encoder.encode(["remove the hat"])
        padded = encoder.encode(["remove the hat", "swap the top for a striped shirt and a red coat"])
    length = alone.embeddings.shape[1]
    torch.testing.assert_close(padded.embeddings[0, :length], alone.embeddings[0], atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(padded.pooled[0], alone.pooled[0], atol=1e-5, rtol=1e-5)


def test_long_text_is_cut_at_max_length(encoder):
    tokens = encoder.tokenize(["red " * 200])
    assert tokens["input_ids"].shape[1] == PRESETS["tiny"].max_length


def test_saved_encoder_loads_from_a_local_directory(encoder, tmp_path):
    encoder.save_local(tmp_path)
    loaded = TextEncoder.from_local(tmp_path).eval()
    assert loaded.max_length == encoder.max_length
    with torch.no_grad():
        torch.testing.assert_close(loaded.encode(TEXTS[:3]).embeddings, encoder.encode(TEXTS[:3]).embeddings)


def test_an_encoder_decoder_model_loads_as_its_encoder_with_mean_pooling(encoder, tmp_path):
    # A T5 directory (as a real T5 text encoder would be shipped) through the same loader.
    config = T5Config(vocab_size=400, d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2)
    T5EncoderModel(config).save_pretrained(tmp_path)
    encoder.tokenizer.save_pretrained(tmp_path)
    loaded = TextEncoder.from_local(tmp_path, max_length=16).eval()
    with torch.no_grad():
        encoding = loaded.encode(["remove the hat", "hat"])
    assert encoding.embeddings.shape[-1] == loaded.width == 16
    mask = encoding.attention_mask[1].bool()
    torch.testing.assert_close(encoding.pooled[1], encoding.embeddings[1, mask].mean(0))


def test_tokenizer_larger_than_the_embedding_table_is_rejected():
    tokenizer = train_tokenizer(TEXTS, vocab_size=400)
    small = PRESETS["tiny"].__class__(**{**PRESETS["tiny"].__dict__, "vocab_size": 270})
    with pytest.raises(ValueError, match="embeddings"):
        build_text_encoder(small, tokenizer)


def test_an_encoder_only_class_is_rebuilt_as_itself(tmp_path):
    config = T5Config(vocab_size=400, d_model=16, d_kv=8, d_ff=32, num_layers=1, num_heads=2)
    model = T5EncoderModel(config)
    tokenizer = build_text_encoder(PRESETS["tiny"], train_tokenizer(TEXTS, vocab_size=400)).tokenizer
    rebuilt = TextEncoder.from_architecture(TextEncoder(model, tokenizer, 16).architecture())
    assert type(rebuilt.model) is T5EncoderModel
    assert rebuilt.model.state_dict().keys() == model.state_dict().keys()
