"""The instruction text encoder: any transformers encoder plus its tokenizer.

Atelier trains a small `BertModel` with its own tokenizer (`atelier.models.tokenizer`); a real
pretrained encoder (T5, CLIP text, BERT) saved on disk loads through the same class with
`TextEncoder.from_local`. Either way the try-on model receives token embeddings, a pooled
embedding and the padding mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import transformers
from tokenizers import Tokenizer
from torch import nn
from transformers import (
    CONFIG_MAPPING,
    AutoConfig,
    AutoModel,
    AutoTokenizer,
    BertConfig,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerFast,
)

from atelier.models.tokenizer import CLS_TOKEN, MASK_TOKEN, PAD_TOKEN, SEP_TOKEN, UNK_TOKEN


@dataclass(frozen=True)
class TextEncoderConfig:
    """Architecture of Atelier's own BERT-style text encoder.

    Attributes:
        vocab_size: embedding rows; at least the tokenizer's vocabulary.
        hidden_size: width D of the token embeddings (the MMDiT's joint_attention_dim).
        num_layers: transformer layers.
        num_heads: attention heads.
        intermediate_size: feed-forward width.
        max_length: longest token sequence, [CLS] and [SEP] included; longer text is cut.
    """

    vocab_size: int
    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    max_length: int


PRESETS: dict[str, TextEncoderConfig] = {
    "tiny": TextEncoderConfig(
        vocab_size=512, hidden_size=32, num_layers=1, num_heads=2, intermediate_size=64, max_length=32
    ),
    # Instructions and captions are a sentence or two; 64 tokens hold them with room to spare.
    "default": TextEncoderConfig(
        vocab_size=8192, hidden_size=256, num_layers=4, num_heads=4, intermediate_size=1024, max_length=64
    ),
}


@dataclass(frozen=True)
class TextEncoding:
    """Encoded instructions.

    Attributes:
        embeddings: (B, T, D) token embeddings.
        pooled: (B, D_pooled) one vector per text.
        attention_mask: (B, T) 1 for real tokens, 0 for padding.
    """

    embeddings: torch.Tensor
    pooled: torch.Tensor
    attention_mask: torch.Tensor


def _special_tokens() -> dict[str, str]:
    return {
        "pad_token": PAD_TOKEN,
        "unk_token": UNK_TOKEN,
        "cls_token": CLS_TOKEN,
        "sep_token": SEP_TOKEN,
        "mask_token": MASK_TOKEN,
    }


def _model_class(config: PretrainedConfig) -> type[PreTrainedModel]:
    # The class a directory was saved from ("T5EncoderModel", "CLIPTextModel", "BertModel")
    # is the encoder to rebuild; AutoModel would pick the full T5 or CLIP model instead.
    for name in config.architectures or ():
        model_class = getattr(transformers, name, None)
        if isinstance(model_class, type) and issubclass(model_class, PreTrainedModel):
            return model_class
    return AutoModel


def _encoder_only(model: nn.Module) -> nn.Module:
    # A full encoder-decoder checkpoint (T5ForConditionalGeneration) is used through its encoder.
    if getattr(model.config, "is_encoder_decoder", False):
        return model.get_encoder()
    return model


class TextEncoder(nn.Module):
    """Tokenize and encode instruction text.

    Attributes:
        model: a transformers encoder (e.g. `BertModel`, `T5EncoderModel`'s stack, `CLIPTextModel`).
        tokenizer: its transformers tokenizer.
        max_length: longest token sequence produced.
    """

    kind = "text_encoder"

    def __init__(self, model: nn.Module, tokenizer: Any, max_length: int):
        super().__init__()
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max_length

    @classmethod
    def from_local(cls, path: str | Path, max_length: int | None = None) -> TextEncoder:
        """Load any transformers encoder and its tokenizer from a local directory; never downloads.

        Args:
            path: a directory written by `save_pretrained` (model and tokenizer together).
            max_length: token limit; defaults to the tokenizer's `model_max_length`, capped at 512.
        """
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        config = AutoConfig.from_pretrained(path, local_files_only=True)
        model = _encoder_only(_model_class(config).from_pretrained(path, local_files_only=True))
        return cls(model, tokenizer, max_length or min(int(tokenizer.model_max_length), 512))

    def save_local(self, path: str | Path) -> None:
        """Write model and tokenizer in the transformers layout that `from_local` reads."""
        self.model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)

    @property
    def width(self) -> int:
        """D, the width of the token embeddings (and of the pooled embedding)."""
        return self.model.config.hidden_size  # transformers maps T5's d_model to this name too

    def tokenize(self, texts: list[str], device: torch.device | str | None = None) -> dict[str, torch.Tensor]:
        """Token ids and padding mask, padded to the longest text.

        Returns:
            {"input_ids": (B, T), "attention_mask": (B, T)} with T ≤ max_length.
        """
        batch = self.tokenizer(
            texts, padding="longest", truncation=True, max_length=self.max_length, return_tensors="pt"
        )
        return {"input_ids": batch["input_ids"].to(device), "attention_mask": batch["attention_mask"].to(device)}

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> TextEncoding:
        """Encode token ids.

        The pooled vector is the encoder's own pooler output where it has one (BERT, CLIP),
        otherwise the mean over real tokens (T5).

        Args:
            input_ids: (B, T) token ids.
            attention_mask: (B, T) 1 for real tokens, 0 for padding.

        Returns:
            A `TextEncoding`.
        """
        output = self.model(input_ids=input_ids, attention_mask=attention_mask)
        embeddings = output.last_hidden_state  # (B, T, D)
        pooled = getattr(output, "pooler_output", None)
        if pooled is None:
            weights = attention_mask.to(embeddings.dtype)[..., None]  # (B, T, 1)
            pooled = (embeddings * weights).sum(1) / weights.sum(1).clamp(min=1)
        return TextEncoding(embeddings, pooled, attention_mask)

    def encode(self, texts: list[str]) -> TextEncoding:
        """Tokenize and encode a batch of strings on the model's device."""
        device = next(self.model.parameters()).device
        return self(**self.tokenize(texts, device))

    def architecture(self) -> dict[str, Any]:
        """Model config, tokenizer and length limit, JSON-ready (see `atelier.models.checkpoint`)."""
        return {
            "transformers_config": {**self.model.config.to_dict(), "architectures": [type(self.model).__name__]},
            "tokenizer": self.tokenizer.backend_tokenizer.to_str(),
            "special_tokens": dict(self.tokenizer.special_tokens_map),
            "max_length": self.max_length,
        }

    @classmethod
    def from_architecture(cls, architecture: dict[str, Any]) -> TextEncoder:
        """Inverse of `architecture`: randomly initialised weights, the same tokenizer."""
        values = architecture["transformers_config"]
        config = CONFIG_MAPPING[values["model_type"]].from_dict(values)
        model_class = _model_class(config)
        model = _encoder_only(model_class.from_config(config) if model_class is AutoModel else model_class(config))
        tokenizer = PreTrainedTokenizerFast(
            tokenizer_object=Tokenizer.from_str(architecture["tokenizer"]),
            model_max_length=architecture["max_length"],
            **architecture["special_tokens"],
        )
        return cls(model, tokenizer, architecture["max_length"])


def build_text_encoder(config: TextEncoderConfig, tokenizer: Tokenizer) -> TextEncoder:
    """A randomly initialised BERT-style encoder around a trained tokenizer.

    Args:
        config: the architecture, e.g. `PRESETS["tiny"]`.
        tokenizer: from `atelier.models.tokenizer.train_tokenizer`.

    Returns:
        The text encoder.
    """
    if tokenizer.get_vocab_size() > config.vocab_size:
        raise ValueError(
            f"tokenizer has {tokenizer.get_vocab_size()} tokens but the encoder only {config.vocab_size} embeddings"
        )
    bert_config = BertConfig(
        vocab_size=config.vocab_size,
        hidden_size=config.hidden_size,
        num_hidden_layers=config.num_layers,
        num_attention_heads=config.num_heads,
        intermediate_size=config.intermediate_size,
        max_position_embeddings=config.max_length,
        pad_token_id=tokenizer.token_to_id(PAD_TOKEN),
    )
    hf_tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, model_max_length=config.max_length, **_special_tokens()
    )
    return TextEncoder(AutoModel.from_config(bert_config), hf_tokenizer, config.max_length)
