"""`TryOnPipeline`: every try-on task through one model, one `__call__` in numbered stages.

    1. check_inputs   the task has what it needs; images are (H, W, 3) uint8
    2. encode         instruction -> text embeddings; condition images -> clean latents
    3. prepare_latents  seeded noise for the target
    4. denoise        Euler steps on shifted sigmas with separate text, reference and garment
                      guidance
    5. decode         latents -> pixels, back to the person photo's size and aspect, with the
                      photo's own pixels restored where the output left it unchanged

The pipeline gets its components; it never downloads and never imports training code.
`batch_call` runs many requests, stacking those whose condition shapes agree into one forward.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from atelier.data.images import Padding
from atelier.flow.guidance import Branch, classifier_free_guidance, dual_guidance
from atelier.flow.samplers import sample_euler
from atelier.flow.sigmas import shifted_sigmas
from atelier.models.autoencoder import Autoencoder
from atelier.models.checkpoint import load_checkpoint
from atelier.models.conditioning import GARMENT_ROLES, Condition, drop_conditions
from atelier.models.text_encoder import TextEncoder
from atelier.models.tryon_model import TryOnModel
from atelier.pipelines.checkpoint_paths import find_model_file
from atelier.pipelines.condition_latents import encode_conditions, stack_condition_slots
from atelier.pipelines.detail_restoration import restore_photo_pixels, unchanged_weights
from atelier.pipelines.image_tensors import fit_to_model, images_to_tensor, restore_to_input, tensor_to_images
from atelier.pipelines.pipeline_config import PipelineConfig
from atelier.pipelines.task_inputs import PERSON_FRAME_TASKS, TaskInputs, check_task_inputs

# Checkpoint module names of a complete try-on model.
TRANSFORMER, AUTOENCODER, TEXT_ENCODER = "tryon_model", "autoencoder", "text_encoder"
# The shipped checkpoint, in the repository beside src/.
DEFAULT_WEIGHTS = Path(__file__).resolve().parents[3] / "weights" / "tryon"


class MissingWeightsError(FileNotFoundError):
    """No try-on checkpoint where one was looked for."""


@dataclass(frozen=True)
class TryOnRequest:
    """A checked request with its sampling settings.

    Attributes:
        inputs: the task and its images.
        steps: Euler steps.
        text_scale, reference_scale, garment_scale: guidance scales (`atelier.flow.guidance`).
        seed: seed of the starting noise.
        restore_detail: give the output the person photo's pixels where it left them unchanged.
    """

    inputs: TaskInputs
    steps: int
    text_scale: float
    reference_scale: float
    garment_scale: float
    seed: int
    restore_detail: bool


@dataclass(frozen=True)
class EncodedBatch:
    """Stage 2's output for B requests.

    Attributes:
        text_embeds: (B + 1, T, D); row B is the empty instruction (unconditional text).
        pooled_text: (B + 1, D_pooled).
        text_mask: (B + 1, T) 1 for real tokens.
        conditions: condition slots, each (B, C, h, w).
        paddings: per request, how the person photo was padded (None without a person).
        any_instruction: whether any request has a non-empty instruction.
    """

    text_embeds: torch.Tensor
    pooled_text: torch.Tensor
    text_mask: torch.Tensor
    conditions: list[Condition]
    paddings: list[Padding | None]
    any_instruction: bool


class TryOnPipeline:
    """Dress, undress, re-pose and invent people with one try-on model.

    Attributes:
        transformer: the `TryOnModel` predicting velocities.
        autoencoder: images <-> latents.
        text_encoder: instruction text -> embeddings.
        tokenizer: text -> token ids (the text encoder's own unless another is given).
        config: image size and sampling defaults.
    """

    def __init__(
        self,
        transformer: TryOnModel,
        autoencoder: Autoencoder,
        text_encoder: TextEncoder,
        tokenizer: Any | None = None,
        config: PipelineConfig | None = None,
    ):
        self.transformer = transformer.eval()
        self.autoencoder = autoencoder.eval()
        self.text_encoder = text_encoder.eval()
        self.tokenizer = tokenizer if tokenizer is not None else text_encoder.tokenizer
        self.config = config or PipelineConfig()
        check_components(self.transformer, self.autoencoder, self.text_encoder, self.config)

    @classmethod
    def from_pretrained(cls, path: str | Path | None = None, device: torch.device | str = "cpu") -> TryOnPipeline:
        """Load a complete try-on checkpoint written by `atelier train`.

        Args:
            path: a weights or checkpoint folder holding `model.safetensors`, the file itself,
                or a training run's folder (its newest checkpoint); defaults to the shipped
                `weights/tryon`.
            device: where the components go.

        Raises:
            MissingWeightsError: no checkpoint there.
            ValueError: the file is not a complete try-on checkpoint.
        """
        where = Path(path) if path is not None else DEFAULT_WEIGHTS
        file = find_model_file(where)
        if file is None:
            raise MissingWeightsError(
                f"no try-on weights at {where}; train them with `atelier train --config configs/autoencoder.yaml` "
                f"then `atelier train --config configs/default.yaml`, and pass the run folder (runs/default) as "
                f"--weights or copy it here with `atelier export-weights --from runs/default --to {DEFAULT_WEIGHTS}`"
            )
        checkpoint = load_checkpoint(file, device=device)
        missing = [name for name in (TRANSFORMER, AUTOENCODER, TEXT_ENCODER) if name not in checkpoint.modules]
        if missing:
            raise ValueError(f"{file} is not a complete try-on checkpoint: it lacks {missing}")
        modules = checkpoint.modules
        # Shipped weights may be stored in bf16 to stay small; the pipeline computes in fp32.
        for module in modules.values():
            module.float()
        config = PipelineConfig.from_dict(checkpoint.configs.get("pipeline", {}))
        return cls(modules[TRANSFORMER], modules[AUTOENCODER], modules[TEXT_ENCODER], config=config)

    @property
    def device(self) -> torch.device:
        return next(self.transformer.parameters()).device

    def to(self, device: torch.device | str) -> TryOnPipeline:
        """Move every component; returns self."""
        for module in (self.transformer, self.autoencoder, self.text_encoder):
            module.to(device)
        return self

    # -- the one entry point ---------------------------------------------------------------

    def __call__(
        self,
        person: np.ndarray | None = None,
        garments: Sequence[tuple[np.ndarray | None, str]] = (),
        instruction: str = "",
        task: str = "single",
        pose: np.ndarray | None = None,
        outfit_source: np.ndarray | None = None,
        *,
        category: str | None = None,
        steps: int | None = None,
        guidance: float | tuple[float, ...] | None = None,
        seed: int | None = None,
        restore_detail: bool | None = None,
    ) -> np.ndarray:
        """Run one try-on task.

        Args:
            person: (H, W, 3) uint8 photo of the person (all tasks but "modelfree").
            garments: (image (h, w, 3) uint8, category) pairs, 1–6 of them; categories are
                `atelier.world.vocabulary.CATEGORIES`.
            instruction: free text ("keep the coat open"); required by "edit".
            task: "single", "multi", "modelfree", "tryoff", "pose", "m2m" or "edit".
            pose: (h, w, 3) uint8 pose map, a rendered OpenPose skeleton ("pose").
            outfit_source: (h, w, 3) uint8 photo of someone whose outfit to move ("m2m").
            category: the garment "tryoff" shows (or pass garments=[(None, category)]).
            steps: Euler steps (default from the model's config).
            guidance: one scale for everything, (text_scale, reference_scale), or (text_scale,
                reference_scale, garment_scale) to follow the garments harder than the person
                photo; what is not given comes from the model's config (a missing garment
                scale: the model's for this task, else the reference scale).
            seed: seed of the starting noise; the same seed gives the same image.
            restore_detail: put the person photo's own pixels back wherever the output left the
                photo unchanged (default from the model's config; see
                `atelier.pipelines.detail_restoration`). False returns the model's pixels only.

        Returns:
            (H, W, 3) uint8 image at the person photo's size and aspect (the model's size for
            "modelfree").

        Raises:
            ValueError: bad inputs (see `check_inputs`).
        """
        request = {
            "person": person, "garments": garments, "instruction": instruction, "task": task, "pose": pose,
            "outfit_source": outfit_source, "category": category, "steps": steps, "guidance": guidance, "seed": seed,
            "restore_detail": restore_detail,
        }  # fmt: skip
        return self.batch_call([request])[0]

    @torch.no_grad()
    def batch_call(self, requests: Sequence[Mapping[str, Any]]) -> list[np.ndarray]:
        """Run many requests; those whose conditions stack run as one batch.

        Args:
            requests: keyword dictionaries of `__call__`.

        Returns:
            One image per request, in order; each equals what `__call__` gives for it alone.
        """
        checked = [self.check_inputs(**request) for request in requests]
        outputs: list[np.ndarray | None] = [None] * len(checked)
        for group in self._stackable_groups(checked):
            batch = [checked[i] for i in group]
            encoded = self.encode(batch)
            latents = self.prepare_latents(batch)
            latents = self.denoise(latents, encoded, batch[0])
            for index, image in zip(group, self.decode(latents, batch, encoded.paddings), strict=True):
                outputs[index] = image
        return outputs

    # -- 1. check inputs -------------------------------------------------------------------

    def check_inputs(
        self,
        person: np.ndarray | None = None,
        garments: Sequence[tuple[np.ndarray | None, str]] = (),
        instruction: str = "",
        task: str = "single",
        pose: np.ndarray | None = None,
        outfit_source: np.ndarray | None = None,
        *,
        category: str | None = None,
        steps: int | None = None,
        guidance: float | tuple[float, ...] | None = None,
        seed: int | None = None,
        restore_detail: bool | None = None,
    ) -> TryOnRequest:
        """Check a request and fill in defaults.

        Raises:
            ValueError: unknown task or category, more than 6 garments, missing or superfluous
                inputs, empty or non-RGB images, bad steps/guidance/seed.
        """
        inputs = check_task_inputs(
            task, person=person, garments=garments, instruction=instruction, pose=pose,
            outfit_source=outfit_source, category=category,
        )  # fmt: skip
        unknown_roles = sorted({c.role for c in inputs.conditions()} - set(self.transformer.roles))
        if unknown_roles:
            raise ValueError(f"this model was not trained with roles {unknown_roles}")
        steps = self.config.steps if steps is None else steps
        if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
            raise ValueError(f"steps must be a positive whole number, got {steps!r}")
        text_scale, reference_scale, garment_scale = _guidance_scales(guidance, self.config, inputs.task)
        if seed is None:
            seed = int(torch.seed() % 2**63)
        elif not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
        if restore_detail is None:
            restore_detail = self.config.detail_restoration.enabled
        elif not isinstance(restore_detail, bool):
            raise ValueError(f"restore_detail must be True, False or None, got {restore_detail!r}")
        return TryOnRequest(inputs, steps, text_scale, reference_scale, garment_scale, seed, restore_detail)

    # -- 2. encode -------------------------------------------------------------------------

    def encode(self, batch: Sequence[TryOnRequest]) -> EncodedBatch:
        """Instructions to text embeddings (plus the empty one) and conditions to latents."""
        texts = [request.inputs.instruction for request in batch] + [""]
        tokens = self.tokenizer(
            texts, padding="longest", truncation=True, max_length=self.text_encoder.max_length, return_tensors="pt"
        )
        text = self.text_encoder(tokens["input_ids"].to(self.device), tokens["attention_mask"].to(self.device))
        per_sample = encode_conditions(
            self.autoencoder,
            [r.inputs.conditions() for r in batch],
            self.config.image_size,
            patch_size=self.transformer.config.patch_size,
        )
        paddings = [
            None if r.inputs.person is None else fit_to_model(r.inputs.person, self.config.image_size)[1] for r in batch
        ]
        return EncodedBatch(
            text.embeddings,
            text.pooled,
            text.attention_mask,
            stack_condition_slots(per_sample),
            paddings,
            any_instruction=any(request.inputs.instruction for request in batch),
        )

    # -- 3. prepare latents ----------------------------------------------------------------

    def prepare_latents(self, batch: Sequence[TryOnRequest]) -> torch.Tensor:
        """Standard normal noise, drawn per request on the CPU so a seed means the same on any device.

        Returns:
            (B, C, H / f, W / f) noise.
        """
        shape = self.latent_shape
        noise = [torch.randn(shape, generator=torch.Generator().manual_seed(r.seed)) for r in batch]
        return torch.stack(noise).to(self.device, next(self.transformer.parameters()).dtype)

    @property
    def latent_shape(self) -> tuple[int, int, int]:
        """(C, h, w) of one target latent."""
        factor = self.autoencoder.downsample_factor
        height, width = self.config.image_size
        return self.autoencoder.latent_channels, height // factor, width // factor

    # -- 4. denoise ------------------------------------------------------------------------

    def denoise(self, latents: torch.Tensor, encoded: EncodedBatch, settings: TryOnRequest) -> torch.Tensor:
        """Integrate from noise to the target's latents.

        Args:
            latents: (B, C, h, w) starting noise.
            encoded: stage 2's output for the same B requests.
            settings: steps and guidance scales shared by the batch.

        Returns:
            (B, C, h, w) clean latents.
        """
        batch_size = latents.shape[0]

        def branch_fn(x: torch.Tensor, sigma: torch.Tensor, branches: Sequence[Branch]) -> torch.Tensor:
            text_rows = torch.cat(
                [
                    torch.arange(batch_size) if branch == Branch.FULL else torch.full((batch_size,), batch_size)
                    for branch in branches
                ]
            ).to(encoded.text_embeds.device)
            # The unconditional branch runs on its own (see `atelier.flow.guidance`). Absent
            # conditions are masked out of every query's keys, so leaving them out of the
            # sequence gives the same velocity with far fewer tokens.
            with_references = branches != (Branch.UNCONDITIONAL,)
            conditions = [
                Condition(condition.latents.repeat(len(branches), 1, 1, 1), condition.roles_per_sample() * len(branches))
                for condition in encoded.conditions
                if with_references
            ]
            # The garment-free branch's rows see the person and pose without the garments.
            without_garments = torch.tensor([branch == Branch.NO_GARMENTS for branch in branches]).repeat_interleave(batch_size)
            conditions = drop_conditions(conditions, without_garments, only_roles=GARMENT_ROLES)
            return self.transformer(
                x,
                sigma,
                encoded.text_embeds[text_rows],
                encoded.pooled_text[text_rows],
                conditions,
                text_mask=encoded.text_mask[text_rows],
            )

        if encoded.any_instruction or settings.garment_scale != settings.reference_scale:
            model_fn = dual_guidance(
                branch_fn,
                text_scale=settings.text_scale,
                reference_scale=settings.reference_scale,
                garment_scale=settings.garment_scale,
            )
        else:
            # No instruction anywhere in the batch: FULL and REFERENCES would both read the empty
            # text, so the text term is zero and one branch fewer gives the same velocity.
            model_fn = classifier_free_guidance(branch_fn, scale=settings.reference_scale)
        sigmas = shifted_sigmas(settings.steps, self.config.sigma_shift)
        return sample_euler(model_fn, latents, sigmas)

    # -- 5. decode -------------------------------------------------------------------------

    def decode(
        self, latents: torch.Tensor, batch: Sequence[TryOnRequest], paddings: Sequence[Padding | None]
    ) -> list[np.ndarray]:
        """Latents to uint8 images at each person photo's size and aspect, restored where asked.

        Args:
            latents: (B, C, h, w) clean latents of the B requests in `batch`.
            batch: the requests, for their person photos and restoration setting.
            paddings: per request, how its person photo was padded (None without one).
        """
        images = tensor_to_images(self.autoencoder.decode(latents))
        outputs = [restore_to_input(image, padding) for image, padding in zip(images, paddings, strict=True)]
        restored = [
            i for i, request in enumerate(batch) if request.restore_detail and request.inputs.task in PERSON_FRAME_TASKS
        ]
        if restored:
            round_trips = self.photo_round_trips([batch[i].inputs.person for i in restored])
            for i, round_trip in zip(restored, round_trips, strict=True):
                weights = unchanged_weights(images[i], round_trip, self.config.detail_restoration)
                outputs[i] = restore_photo_pixels(outputs[i], batch[i].inputs.person, weights, paddings[i])
        return outputs

    def photo_round_trips(self, photos: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Person photos at the model's size as the autoencoder gives them back: (h, w, 3) uint8 each."""
        fitted = [fit_to_model(photo, self.config.image_size)[0] for photo in photos]
        pixels = images_to_tensor(fitted).to(self.device, next(self.autoencoder.parameters()).dtype)
        return tensor_to_images(self.autoencoder.decode(self.autoencoder.encode(pixels)))

    # -- batching --------------------------------------------------------------------------

    def _stackable_groups(self, requests: Sequence[TryOnRequest]) -> list[list[int]]:
        """Indices of requests that can share one forward pass.

        Requests stack when they share steps and guidance and their conditions have the same
        latent shape position by position (fewer conditions are padded as absent), so every
        request keeps the slots it would have alone.
        """
        groups: list[tuple[tuple, list[str], list[int]]] = []  # (settings, slot shapes, members)
        for index, request in enumerate(requests):
            settings = (request.steps, request.text_scale, request.reference_scale, request.garment_scale)
            shapes = ["token" if c.image is None else "image" for c in request.inputs.conditions()]
            for group_settings, group_shapes, members in groups:
                shared = min(len(shapes), len(group_shapes))
                if group_settings == settings and shapes[:shared] == group_shapes[:shared]:
                    members.append(index)
                    if len(shapes) > len(group_shapes):
                        group_shapes.extend(shapes[shared:])
                    break
            else:
                groups.append((settings, shapes, [index]))
        return [members for _, _, members in groups]


def _guidance_scales(
    guidance: float | tuple[float, ...] | None, config: PipelineConfig, task: str
) -> tuple[float, float, float]:
    """(text_scale, reference_scale, garment_scale) from one number (all three), a pair, a
    triple, or the model's defaults. Where no garment scale is given (the defaults, a pair),
    it is the model's for the task (`PipelineConfig.garment_scale`)."""
    if guidance is None:
        scales = (config.text_guidance, config.reference_guidance)
    elif isinstance(guidance, (int, float)) and not isinstance(guidance, bool):
        scales = (float(guidance),) * 3
    elif isinstance(guidance, (tuple, list)) and len(guidance) in (2, 3):
        scales = tuple(float(scale) for scale in guidance)
    else:
        raise ValueError(
            f"guidance must be a number, a (text_scale, reference_scale) pair or a (text_scale, reference_scale, "
            f"garment_scale) triple, got {guidance!r}"
        )
    if len(scales) == 2:
        scales = (*scales, config.garment_scale(task, scales[1]))
    if any(not np.isfinite(scale) or scale < 0 for scale in scales):
        raise ValueError(f"guidance scales must be finite and non-negative, got {scales}")
    return scales


def check_components(
    transformer: TryOnModel, autoencoder: Autoencoder, text_encoder: TextEncoder, config: PipelineConfig
) -> None:
    """Refuse components that cannot work together, naming the mismatch.

    Raises:
        ValueError: latent channels, text widths or the image size do not fit together.
    """
    if transformer.config.latent_channels != autoencoder.latent_channels:
        raise ValueError(
            f"the transformer denoises {transformer.config.latent_channels}-channel latents but the "
            f"autoencoder makes {autoencoder.latent_channels}"
        )
    text_widths = (transformer.config.joint_attention_dim, transformer.config.pooled_projection_dim)
    if text_widths != (text_encoder.width, text_encoder.width):
        raise ValueError(
            f"the transformer reads {text_widths[0]}-wide text and {text_widths[1]}-wide pooled text but "
            f"the text encoder gives {text_encoder.width}"
        )
    multiple = transformer.config.patch_size * autoencoder.downsample_factor  # whole latent patches
    height, width = config.image_size
    if height % multiple or width % multiple:
        raise ValueError(
            f"image_size {config.image_size} must be divisible by {multiple}: the autoencoder's ×"
            f"{autoencoder.downsample_factor} times the transformer's {transformer.config.patch_size}×"
            f"{transformer.config.patch_size} latent patches"
        )
