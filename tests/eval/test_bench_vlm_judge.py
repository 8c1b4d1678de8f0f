"""The two-stage VLM judge protocol and its score parsing, driven by a scripted test double."""

import pytest

from atelier.eval.bench.bench_set import bench_items
from atelier.eval.judges.vlm_judge import (
    STAGE_ONE_PROMPT,
    STAGE_TWO_PROMPT,
    TransformersVLM,
    VLMJudge,
    parse_scores,
)


class ScriptedVLMDouble:
    """Test double for a vision-language model: replies from a script, records every question."""

    def __init__(self, replies):
        self.replies = list(replies)
        self.calls = []

    def generate(self, images, prompt):
        self.calls.append((len(images), prompt))
        return self.replies.pop(0)


def test_stage_one_sees_references_and_stage_two_does_not():
    record = bench_items("multi", 1)[0].record()  # two references
    output = record.person.image.copy()
    double = ScriptedVLMDouble(["Identity: 9\nGarment: 4", "Background: 8\nPhysics: 7"])
    scores = VLMJudge(double).score(record, output)
    assert (scores.identity, scores.garment, scores.background, scores.physics) == (9, 4, 8, 7)
    (first_images, first_prompt), (second_images, second_prompt) = double.calls
    assert first_images == 1 + len(record.garments) + 1  # person, references, output
    assert second_images == 2  # person, output
    assert "Garment fidelity (1-10)" in first_prompt and "Physics & structure (1-10)" in second_prompt
    assert record.instruction.replace('"', "'") in first_prompt
    assert scores.overall == pytest.approx((9 * 4 * 8 * 7) ** 0.25)


def test_tryoff_has_no_identity_even_if_the_model_gives_one():
    record = bench_items("tryoff", 1)[0].record()
    double = ScriptedVLMDouble(["Identity: N/A\nGarment: 6", "Background: 9\nPhysics: 8"])
    scores = VLMJudge(double).score(record, record.target.image.copy())
    assert scores.identity is None and scores.garment == 6


def test_unreadable_reply_is_asked_again_once_then_refused():
    record = bench_items("single", 1)[0].record()
    output = record.person.image.copy()
    double = ScriptedVLMDouble(["Looks great!", "Identity: 8, Garment: 6", "Background: 7\nPhysics: 9"])
    assert VLMJudge(double).score(record, output).garment == 6
    assert "could not be read" in double.calls[1][1]
    stubborn = ScriptedVLMDouble(["no idea", "still no idea"])
    with pytest.raises(ValueError, match="no readable identity and garment"):
        VLMJudge(stubborn).score(record, output)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("Identity: 8\nGarment: 7", {"identity": 8.0, "garment": 7.0}),
        ("**Identity**: 9\n**Garment fidelity** - 7/10", {"identity": 9.0, "garment": 7.0}),
        ("identity=9.5, garment = 3", {"identity": 9.5, "garment": 3.0}),
        ("Identity score is 80/100. Garment: 12", {"identity": 8.0, "garment": 10.0}),
        ("Identity: N/A\nGarment: 6", {"identity": None, "garment": 6.0}),
        ("Identity: 8", None),
    ],
)
def test_parse_scores(reply, expected):
    assert parse_scores(reply, ("identity", "garment")) == expected


def test_prompts_are_complete_likert_questions():
    for prompt in (STAGE_ONE_PROMPT, STAGE_TWO_PROMPT):
        assert "1 to 10" in prompt.format(context="on a Likert scale from 1 to 10", task_description="", instruction="", image_list="")


def test_missing_local_model_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing is downloaded"):
        TransformersVLM.from_local(tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="no vision-language model"):
        TransformersVLM.from_local(tmp_path)
