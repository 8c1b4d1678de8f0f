"""`FlowMatchingTask`: trains the try-on model on every task at once with rectified flow.

Partial diffusion: only the target is noised, x_σ = σ·ε + (1 − σ)·x₀; the conditions (person,
garments, pose map, outfit source, requested-garment token) stay clean latents, and the model
regresses the velocity ε − x₀ of the target. For classifier-free guidance a sample loses its
instruction with probability `text_dropout` and all its references with `reference_dropout`,
independently, so the model learns the three branches `dual_guidance` combines; with
`garment_dropout` a sample that keeps its references may lose only its garments, the fourth
branch, which garment guidance contrasts with. Where the target
is the person photo changed, `change_weight` raises the loss of the latents that change
(`atelier.train.change_weights`), and `attention_focus` teaches one head per attention layer
to look at the garments there (`atelier.train.attention_focus_loss`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from atelier.flow.path import interpolate, sample_training_sigmas, velocity_target
from atelier.models.autoencoder import Autoencoder
from atelier.models.conditioning import GARMENT_ROLES, Condition, drop_conditions, garment_key_mask
from atelier.models.text_encoder import TextEncoder
from atelier.models.tryon_model import TryOnModel
from atelier.pipelines.condition_latents import encode_conditions, stack_condition_slots
from atelier.pipelines.image_tensors import fit_to_model, images_to_tensor
from atelier.pipelines.pipeline_config import PipelineConfig
from atelier.pipelines.task_inputs import PERSON_FRAME_TASKS, TASKS
from atelier.pipelines.tryon_pipeline import AUTOENCODER, TEXT_ENCODER, TRANSFORMER, TryOnPipeline, check_components
from atelier.train.attention_focus_loss import attention_focus_loss, token_change_shares
from atelier.train.change_weights import change_weights
from atelier.train.run_config import FlowMatchingConfig
from atelier.train.sample_grid import grid_image
from atelier.train.tryon_examples import record_example
from atelier.world.records import Record


@dataclass(frozen=True)
class TryOnBatch:
    """A training batch, encoded.

    Attributes:
        target: (B, C, h, w) clean target latents x₀.
        conditions: condition slots of clean latents, each (B, C, h_i, w_i).
        input_ids, attention_mask: (B, T) instruction tokens ("" where the text was dropped).
        reference_drop: (B,) bool, samples trained without any condition.
        garment_drop: (B,) bool, samples trained without their garments (person and pose kept).
        tasks: (B,) task names, for per-task losses.
        loss_weights: (B, 1, h, w) weight of each target latent's error (`change_weights`).
        focus_shares: (B, L_t) how much of each target token the try-on changes
            (`token_change_shares`; 0 where the target is not the person photo changed);
            None unless the attention-focus loss is on.
    """

    target: torch.Tensor
    conditions: list[Condition]
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    reference_drop: torch.Tensor
    garment_drop: torch.Tensor
    tasks: list[str]
    loss_weights: torch.Tensor
    focus_shares: torch.Tensor | None = None


class FlowMatchingTask(nn.Module):
    """Owns the try-on model, the text encoder it trains with, the frozen autoencoder, and the loss.

    Attributes:
        model: the `TryOnModel` being trained.
        text_encoder: trained along (unless settings.train_text_encoder is False).
        autoencoder: frozen; encodes targets and conditions.
        settings: dropout and noise-level settings.
        pipeline_config: sampling settings shipped with the model.
        batch_size: samples per step.
    """

    metric_names = ("loss", *(f"loss_{task}" for task in TASKS))

    def __init__(
        self,
        model: TryOnModel,
        autoencoder: Autoencoder,
        text_encoder: TextEncoder,
        settings: FlowMatchingConfig,
        pipeline_config: PipelineConfig,
        batch_size: int,
    ):
        super().__init__()
        self.model = model
        self.text_encoder = text_encoder
        self.autoencoder = autoencoder.requires_grad_(False).eval()
        if not settings.train_text_encoder:
            self.text_encoder.requires_grad_(False).eval()
        self.settings = settings
        self.pipeline_config = pipeline_config
        self.batch_size = batch_size
        if settings.attention_focus > 0:
            self.metric_names = (*self.metric_names, "loss_focus")
        # Checked here rather than at the first sample grid, hours into a run.
        check_components(model, autoencoder, text_encoder, pipeline_config)

    @property
    def records_per_step(self) -> int:
        return self.batch_size

    @property
    def preview_record_count(self) -> int:
        """Held-out records for sample grids: one of each task the run trains on, in rotation."""
        return len(TASKS)

    def train(self, mode: bool = True) -> FlowMatchingTask:
        super().train(mode)
        self.autoencoder.eval()  # frozen: never in training mode
        if not self.settings.train_text_encoder:
            self.text_encoder.eval()
        return self

    def trainable_modules(self) -> dict[str, nn.Module]:
        modules: dict[str, nn.Module] = {TRANSFORMER: self.model}
        if self.settings.train_text_encoder:
            modules[TEXT_ENCODER] = self.text_encoder
        return modules

    @torch.no_grad()
    def make_batch(self, records: Sequence[Record], generator: torch.Generator) -> TryOnBatch:
        """Encode records: targets and conditions to latents, instructions to tokens, dropout drawn."""
        examples = [record_example(record) for record in records]
        size = self.pipeline_config.image_size
        count = len(examples)
        drop_text = (torch.rand(count, generator=generator) < self.settings.text_dropout).tolist()
        drop_references = torch.rand(count, generator=generator) < self.settings.reference_dropout
        # Drawn only when asked for, so runs without garment dropout keep their random stream.
        drop_garments = torch.zeros(count, dtype=torch.bool)
        if self.settings.garment_dropout > 0:
            drop_garments = (torch.rand(count, generator=generator) < self.settings.garment_dropout) & ~drop_references
        device = next(self.model.parameters()).device
        targets = images_to_tensor([fit_to_model(example.target, size)[0] for example in examples])
        target = self.autoencoder.encode(targets.to(device, next(self.autoencoder.parameters()).dtype))
        per_sample = encode_conditions(
            self.autoencoder,
            [example.inputs.conditions() for example in examples],
            size,
            patch_size=self.model.config.patch_size,
        )
        instructions = ["" if dropped else example.inputs.instruction for example, dropped in zip(examples, drop_text, strict=True)]
        tokens = self.text_encoder.tokenize(instructions, device)
        # The person photo is the first condition of every task that has one.
        same_frame = [example.inputs.task in PERSON_FRAME_TASKS for example in examples]
        persons = [entries[0][1] if frame else None for entries, frame in zip(per_sample, same_frame, strict=True)]
        weights = [change_weights(z, person, self.settings.change_weight) for z, person in zip(target, persons, strict=True)]
        focus_shares = self._focus_shares(target, persons) if self.settings.attention_focus > 0 else None
        return TryOnBatch(
            target=target,
            conditions=stack_condition_slots(per_sample),
            input_ids=tokens["input_ids"],
            attention_mask=tokens["attention_mask"],
            reference_drop=drop_references.to(device),
            garment_drop=drop_garments.to(device),
            tasks=[example.inputs.task for example in examples],
            loss_weights=torch.stack(weights),
            focus_shares=focus_shares,
        )

    def _focus_shares(self, target: torch.Tensor, persons: Sequence[torch.Tensor | None]) -> torch.Tensor:
        """(B, L_t) change share of each target token; 0 where there is no person photo to change."""
        patch = self.model.config.patch_size
        tokens = (target.shape[2] // patch) * (target.shape[3] // patch)
        return torch.stack(
            [
                torch.zeros(tokens, device=target.device) if person is None else token_change_shares(z, person, patch)
                for z, person in zip(target, persons, strict=True)
            ]
        )

    def forward(self, batch: TryOnBatch, generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Flow-matching losses of one batch.

        Returns:
            {"loss": mean squared velocity error (each sample's weighted by its
            `loss_weights`), "loss_<task>": its mean over that task's samples (detached; only
            tasks present in the batch)}.
        """
        target = batch.target.float()
        count = target.shape[0]
        text = self.text_encoder(batch.input_ids, batch.attention_mask)
        sigma = sample_training_sigmas(
            count,
            distribution=self.settings.sigma_distribution,
            logit_mean=self.settings.logit_mean,
            logit_std=self.settings.logit_std,
            shift=self.settings.sigma_shift,
            generator=generator,
        ).to(target.device)
        noise = torch.randn(target.shape, generator=generator).to(target.device)
        conditions = drop_conditions(batch.conditions, batch.reference_drop.cpu())
        conditions = drop_conditions(conditions, batch.garment_drop.cpu(), only_roles=GARMENT_ROLES)
        focus = nullcontext([]) if batch.focus_shares is None else self.model.attention_focus()
        with focus as focus_masses:
            velocity = self.model(
                interpolate(target, noise, sigma),
                sigma,
                text.embeddings,
                text.pooled,
                conditions,
                text_mask=batch.attention_mask,
            )
        squared = (velocity.float() - velocity_target(target, noise)).square().mean(dim=1, keepdim=True)
        weights = batch.loss_weights.to(squared)
        per_sample = (squared * weights).sum(dim=(1, 2, 3)) / weights.sum(dim=(1, 2, 3))
        losses = {"loss": per_sample.mean()}
        if batch.focus_shares is not None:
            # The person photo changed by garments the sample kept (dropped ones are absent).
            given_garments = garment_key_mask(conditions, count, self.model.config.patch_size).any(dim=1)
            person_frame = torch.tensor([task in PERSON_FRAME_TASKS for task in batch.tasks])
            focus_loss = attention_focus_loss(
                focus_masses, batch.focus_shares.to(target.device), (given_garments & person_frame).to(target.device)
            )
            losses["loss"] = losses["loss"] + self.settings.attention_focus * focus_loss
            losses["loss_focus"] = focus_loss.detach()
        for task in dict.fromkeys(batch.tasks):
            mask = torch.tensor([name == task for name in batch.tasks], device=per_sample.device)
            losses[f"loss_{task}"] = per_sample.detach()[mask].mean()
        return losses

    # -- previews and shipping -------------------------------------------------------------

    def shipped_modules(self, modules: dict[str, nn.Module], records: Sequence[Record]) -> dict[str, nn.Module]:
        """The averaged transformer (and text encoder) with the frozen autoencoder."""
        return {
            TRANSFORMER: modules[TRANSFORMER],
            TEXT_ENCODER: modules.get(TEXT_ENCODER, self.text_encoder),
            AUTOENCODER: self.autoencoder,
        }

    def shipped_configs(self) -> dict[str, object]:
        return {"pipeline": self.pipeline_config.to_dict()}

    @torch.no_grad()
    def sample_grid(self, modules: dict[str, nn.Module], records: Sequence[Record]) -> np.ndarray:
        """One row per preview record: its condition images, the model's output, the target.

        The output is the model's own pixels, without detail restoration, so a grid shows what
        training has taught and not the photo pasted back.
        """
        shipped = self.shipped_modules(modules, records)
        pipeline = TryOnPipeline(shipped[TRANSFORMER], shipped[AUTOENCODER], shipped[TEXT_ENCODER], config=self.pipeline_config)
        examples = [record_example(record) for record in records]
        requests = [
            {
                "task": example.inputs.task,
                "person": example.inputs.person,
                "garments": example.inputs.garments,
                "instruction": example.inputs.instruction,
                "pose": example.inputs.pose,
                "outfit_source": example.inputs.outfit_source,
                "category": example.inputs.category,
                "seed": index,
                "restore_detail": False,
            }
            for index, example in enumerate(examples)
        ]
        outputs = pipeline.batch_call(requests)
        size = self.pipeline_config.image_size
        rows = []
        for example, output in zip(examples, outputs, strict=True):
            inputs = [fit_to_model(c.image, size)[0] for c in example.inputs.conditions() if c.image is not None]
            rows.append([*inputs, fit_to_model(output, size)[0], fit_to_model(example.target, size)[0]])
        # Line the outputs and targets up in the last two columns.
        columns = max(len(row) for row in rows)
        rows = [[*row[:-2], *([None] * (columns - len(row))), *row[-2:]] for row in rows]
        return grid_image(rows, cell_hw=size)
