"""The VLM judge: Tstars-VTON Bench's two-stage Likert protocol, asked of a local vision-language model.

Stage 1 shows the model the person photo, the references and the output and asks for Identity
and Garment fidelity; stage 2 shows the person photo and the output only and asks for
Background and Physics & structure. Splitting the questions keeps the references out of the
second stage, where they would pull the model's attention to the garments. Every answer is
read from free text by `parse_scores`, which accepts "Identity: 8", "**Garment fidelity** - 7/10",
"identity=9.5" and the like; a reply missing a score is asked again once with a reminder of the
format, then refused with the reply quoted.

The model is loaded by `TransformersVLM.from_local` from a local folder only
(`local_files_only=True`); nothing is downloaded. Tests drive the protocol with a scripted test
double in place of the model.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image

from atelier.eval.judges.judges import DimensionScores
from atelier.world.records import GarmentImage, Record

SYSTEM_CONTEXT = (
    "You are an expert evaluator of virtual try-on images. A try-on system was given a task and produced an "
    "output image. You rate the output strictly and consistently on a Likert scale from 1 to 10, where 10 means "
    "perfect (indistinguishable from a correct photograph), 7 means good with small visible flaws, 4 means "
    "clearly wrong in important ways, and 1 means complete failure (missing, unrelated or unrecognisable)."
)

STAGE_ONE_PROMPT = """{context}

Task given to the system: {task_description}
Instruction given to the system: "{instruction}"

Images, in order: {image_list}.

Rate the OUTPUT image on two dimensions.

Identity (1-10): Is the person in the output the same person as in the input photo (or, when no input photo is given, the person the instruction describes)? Judge face shape and features, skin tone, hair style and hair colour, and body build. Ignore clothing, pose and background. 10: unmistakably the same person. 7: the same person with small changes to the face or hair. 4: a similar-looking but different person. 1: a different person, or no recognisable person. If the task produces no person (a flat product shot), answer Identity: N/A.

Garment fidelity (1-10): Does every reference garment appear in the output exactly as in its reference image? Judge, for each reference garment, its colour, pattern (stripes, checks, dots, flowers, logo text, gradient, colour blocks, with their colours, scale and direction), shape (sleeves, neckline, length, fit), and details; for a garment taken off a person, the product shot must show that garment as it was worn. 10: every garment reproduced faithfully. 7: all garments present, small differences in colour, pattern or shape. 4: a garment is clearly altered (wrong colour, pattern or shape). 1: a garment is missing or replaced by a different one. Score the worst garment most heavily.

Answer with exactly two lines and nothing else:
Identity: <1-10 or N/A>
Garment: <1-10>"""

STAGE_TWO_PROMPT = """{context}

Task given to the system: {task_description}
Instruction given to the system: "{instruction}"

Images, in order: {image_list}.

Rate the OUTPUT image on two dimensions.

Background (1-10): Is everything that is not the dressed person preserved and clean? For a person photo: the scene behind and in front of the person (walls, floor, objects) must match the input photo where the task keeps it, with no smearing, seams, halos around the person or leftover pieces of removed garments. For a product shot: a clean, plain backdrop. 10: flawless. 7: small artefacts. 4: clearly damaged or changed. 1: destroyed or unrelated.

Physics & structure (1-10): Is the result physically plausible? Garments sit on the right body parts and follow the body and pose; layers are in the right order (a coat over a shirt, an open coat showing the shirt beneath); arms, hands, legs and feet are whole, correctly attached and not duplicated; nothing floats or passes through the body. For a product shot: one flat, complete garment with a plausible silhouette and no body parts. 10: fully plausible. 7: small errors. 4: clear structural errors (a garment on the wrong body part, a missing or extra limb). 1: not a coherent person or garment at all.

Answer with exactly two lines and nothing else:
Background: <1-10>
Physics: <1-10>"""

FORMAT_REMINDER = (
    "Your previous answer could not be read. Answer again with exactly these lines and a number from 1 to 10 on each:\n"
    "{lines}"
)

TASK_DESCRIPTIONS = {
    "single": "dress the person in the reference garment, keeping everything else unchanged.",
    "multi": "dress the person in all the reference garments at once, keeping everything else unchanged.",
    "modelfree": "generate a person, as the instruction describes, wearing all the reference garments.",
    "tryoff": "take the named garment off the person and show it as a flat product shot on a plain backdrop.",
    "pose": "show the same person in the same clothes in the pose given by the skeleton image.",
    "m2m": "dress the person in the outfit worn by the second person, keeping everything else unchanged.",
    "edit": "change the person's garment as the instruction says, keeping everything else unchanged.",
}

# "Garment fidelity" and "Physics & structure" may be written out in full.
_SCORE_NAMES = {
    "identity": r"identity",
    "garment": r"garment(?:\s+fidelity)?",
    "background": r"background",
    "physics": r"physics(?:\s*(?:&|and)\s*structure)?",
}
_NUMBER = r"(\d+(?:\.\d+)?)(?:\s*/\s*(100|10)\b)?"


class VisionLanguageModel(Protocol):
    """Anything that answers a prompt about some images with text."""

    def generate(self, images: list[np.ndarray], prompt: str) -> str:
        """The reply to `prompt` about `images` ((H, W, 3) uint8 each, in order)."""
        ...


def parse_scores(text: str, names: tuple[str, ...]) -> dict[str, float | None] | None:
    """Read 1–10 scores named `names` from a reply; None when any is missing.

    "N/A" (or "not applicable") reads as None for that name; "x/100" is rescaled to 1–10; values
    are clipped to 1–10.
    """
    scores: dict[str, float | None] = {}
    for name in names:
        label = rf"(?:\*\*)?{_SCORE_NAMES[name]}(?:\*\*)?(?:\s+score)?(?:\s*\(1\s*-\s*10\))?\s*(?:[:=\-–]|is)?\s*(?:\*\*)?\s*"
        not_applicable = re.search(label + r"(?:n/?a\b|not applicable)", text, flags=re.IGNORECASE)
        if not_applicable:
            scores[name] = None
            continue
        match = re.search(label + _NUMBER, text, flags=re.IGNORECASE)
        if match is None:
            return None
        value = float(match.group(1))
        if match.group(2) == "100":
            value /= 10
        scores[name] = float(np.clip(value, 1.0, 10.0))
    return scores


def _images_and_names(record: Record, output: np.ndarray, with_references: bool) -> tuple[list[np.ndarray], str]:
    images, names = [], []
    if record.person is not None:
        images.append(record.person.image)
        names.append("the input photo of the person")
    if with_references:
        for number, garment in enumerate(record.garments, start=1):
            images.append(garment.image)
            names.append(f"reference garment {number} ({garment.category})")
        if record.outfit_source is not None:
            images.append(record.outfit_source.image)
            names.append("the second person, whose outfit is to be transferred")
        if record.pose is not None and record.pose.pose_map is not None:
            images.append(record.pose.pose_map)
            names.append("the target pose as a skeleton")
    images.append(output)
    names.append("the OUTPUT image to rate")
    numbered = ", ".join(f"({i}) {name}" for i, name in enumerate(names, start=1))
    return images, numbered


class VLMJudge:
    """TryOnBench's four dimensions asked of a vision-language model in two stages.

    Args:
        model: the vision-language model (`TransformersVLM`, or a test double).
    """

    name = "vlm"

    def __init__(self, model: VisionLanguageModel) -> None:
        self.model = model

    def score(self, record: Record, output: np.ndarray) -> DimensionScores:
        """Scores of `output` ((H, W, 3) uint8) as the answer to `record`."""
        fields = {
            "context": SYSTEM_CONTEXT,
            "task_description": TASK_DESCRIPTIONS[record.kind],
            "instruction": record.instruction.replace('"', "'"),
        }
        images, image_list = _images_and_names(record, output, with_references=True)
        first = self._ask(images, STAGE_ONE_PROMPT.format(**fields, image_list=image_list), ("identity", "garment"))
        images, image_list = _images_and_names(record, output, with_references=False)
        second = self._ask(images, STAGE_TWO_PROMPT.format(**fields, image_list=image_list), ("background", "physics"))
        identity = None if isinstance(record.target, GarmentImage) else first["identity"]
        return DimensionScores(
            identity=identity,
            garment=first["garment"],
            background=second["background"],
            physics=second["physics"],
            details={"stage_1": first, "stage_2": second},
        )

    def _ask(self, images: list[np.ndarray], prompt: str, names: tuple[str, ...]) -> dict[str, float | None]:
        reply = self.model.generate(images, prompt)
        scores = parse_scores(reply, names)
        if scores is None:
            lines = "\n".join(f"{name.capitalize()}: <1-10>" for name in names)
            reply = self.model.generate(images, prompt + "\n\n" + FORMAT_REMINDER.format(lines=lines))
            scores = parse_scores(reply, names)
        if scores is None:
            raise ValueError(f"the VLM judge's reply has no readable {' and '.join(names)} scores: {reply!r}")
        return scores


class TransformersVLM:
    """A Hugging Face vision-language model with its processor, run with greedy decoding.

    Args:
        model: an `AutoModelForImageTextToText` model.
        processor: its `AutoProcessor` (chat template, tokenizer, image processor).
        max_new_tokens: reply length limit.
    """

    def __init__(self, model, processor, max_new_tokens: int = 48) -> None:
        self.model = model.eval()
        self.processor = processor
        self.max_new_tokens = max_new_tokens

    @classmethod
    def from_local(cls, path: str | Path, max_new_tokens: int = 48) -> TransformersVLM:
        """Load a model and processor from a local folder; never downloads.

        Raises:
            FileNotFoundError: the folder does not exist or holds no model config.
        """
        path = Path(path)
        if not path.is_dir() or not (path / "config.json").is_file():
            raise FileNotFoundError(
                f"no vision-language model at {path}: --vlm-path must be a local folder holding a saved model "
                "(config.json, weights, processor files); nothing is downloaded"
            )
        from transformers import AutoModelForImageTextToText, AutoProcessor

        processor = AutoProcessor.from_pretrained(path, local_files_only=True)
        model = AutoModelForImageTextToText.from_pretrained(path, local_files_only=True)
        return cls(model, processor, max_new_tokens)

    def generate(self, images: list[np.ndarray], prompt: str) -> str:
        """Greedy reply to `prompt` about `images`."""
        import torch

        content = [{"type": "image"} for _ in images] + [{"type": "text", "text": prompt}]
        text = self.processor.apply_chat_template([{"role": "user", "content": content}], add_generation_prompt=True)
        inputs = self.processor(text=[text], images=[Image.fromarray(image) for image in images], return_tensors="pt")
        with torch.no_grad():
            generated = self.model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=False)
        new_tokens = generated[:, inputs["input_ids"].shape[1] :]
        return self.processor.batch_decode(new_tokens, skip_special_tokens=True)[0]
