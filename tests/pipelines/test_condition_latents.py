import torch

from atelier.models.conditioning import ABSENT_ROLE
from atelier.pipelines.condition_latents import stack_condition_slots


def _latent(height: int, width: int, value: float) -> torch.Tensor:
    return torch.full((4, height, width), value)


def test_slots_keep_each_samples_order_and_mark_missing_conditions_absent():
    slots = stack_condition_slots(
        [
            [("person", _latent(8, 6, 1)), ("top", _latent(8, 6, 2)), ("hat", _latent(8, 6, 3))],
            [("person", _latent(8, 6, 4))],
        ]
    )
    assert [slot.roles_per_sample() for slot in slots] == [["person", "person"], ["top", ABSENT_ROLE], ["hat", ABSENT_ROLE]]
    assert slots[0].latents[:, 0, 0, 0].tolist() == [1, 4]
    assert slots[1].latents[1].abs().sum() == 0


def test_differently_shaped_conditions_at_one_position_get_their_own_slots():
    slots = stack_condition_slots(
        [
            [("person", _latent(8, 6, 1)), ("top", _latent(8, 6, 2)), ("shoes", _latent(8, 6, 3))],
            [("person", _latent(8, 6, 4)), ("hat", _latent(2, 2, 0))],
        ]
    )
    assert [tuple(slot.latents.shape[2:]) for slot in slots] == [(8, 6), (8, 6), (8, 6), (2, 2)]
    assert [slot.roles_per_sample() for slot in slots] == [
        ["person", "person"],
        ["top", ABSENT_ROLE],
        ["shoes", ABSENT_ROLE],
        [ABSENT_ROLE, "hat"],
    ]


def test_a_single_sample_gets_one_slot_per_condition():
    slots = stack_condition_slots([[("person", _latent(8, 6, 1)), ("top", _latent(2, 2, 2))]])
    assert [slot.roles_per_sample() for slot in slots] == [["person"], ["top"]]
