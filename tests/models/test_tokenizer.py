import pytest

from atelier.models.tokenizer import (
    CLS_TOKEN,
    SEP_TOKEN,
    SPECIAL_TOKENS,
    load_tokenizer,
    save_tokenizer,
    train_tokenizer,
)

TEXTS = [
    "dress her in the red striped top and blue pants",
    "put the black coat over the white dress",
    "keep the coat open",
    "add a brown bag and a straw hat",
    "take off the shoes",
] * 20


def test_trained_tokenizer_wraps_text_and_keeps_special_ids():
    tokenizer = train_tokenizer(TEXTS, vocab_size=400)
    assert [tokenizer.token_to_id(token) for token in SPECIAL_TOKENS] == [0, 1, 2, 3, 4]
    assert 261 < tokenizer.get_vocab_size() <= 400
    encoding = tokenizer.encode("keep the coat open")
    assert encoding.tokens[0] == CLS_TOKEN and encoding.tokens[-1] == SEP_TOKEN
    # Frequent words become single tokens.
    assert len(encoding.ids) <= 6


def test_unseen_words_need_no_unknown_token():
    tokenizer = train_tokenizer(TEXTS, vocab_size=300)
    encoding = tokenizer.encode("Zebra-print kimono ✨")
    assert tokenizer.token_to_id("[UNK]") not in encoding.ids
    assert tokenizer.decode(encoding.ids).strip() == "zebra-print kimono ✨"


def test_batches_are_padded_with_the_pad_token():
    tokenizer = train_tokenizer(TEXTS, vocab_size=300)
    short, long = tokenizer.encode_batch(["hat", "put the black coat over the white dress"])
    assert len(short.ids) == len(long.ids)
    assert short.ids[-1] == 0 and short.attention_mask[-1] == 0


def test_save_and_load_round_trip(tmp_path):
    tokenizer = train_tokenizer(TEXTS, vocab_size=350)
    save_tokenizer(tokenizer, tmp_path / "tokenizer.json")
    loaded = load_tokenizer(tmp_path / "tokenizer.json")
    for text in ("keep the coat open", "a new sentence entirely"):
        assert loaded.encode(text).ids == tokenizer.encode(text).ids


def test_vocabulary_smaller_than_the_byte_alphabet_is_rejected():
    with pytest.raises(ValueError, match="at least 261"):
        train_tokenizer(TEXTS, vocab_size=100)
