import pytest
import torch
from diffusers.pipelines.flux.pipeline_flux import FluxPipeline

from atelier.models.conditioning import (
    ABSENT_ROLE,
    GARMENT_ROLES,
    ROLES,
    Condition,
    RoleEmbedding,
    assemble_sequence,
    drop_conditions,
    latent_position_ids,
    pack_latents,
    text_position_ids,
    unpack_latents,
)
from atelier.world.vocabulary import CATEGORIES


def test_packing_matches_diffusers_flux_layout_and_inverts():
    latents = torch.randn(2, 4, 6, 8)
    tokens = pack_latents(latents)
    assert tokens.shape == (2, 12, 16)
    assert torch.equal(tokens, FluxPipeline._pack_latents(latents, 2, 4, 6, 8))
    assert torch.equal(unpack_latents(tokens, 6, 8), latents)
    # diffusers' unpack takes pixel sizes; a scale factor of 1 makes them latent sizes.
    assert torch.equal(FluxPipeline._unpack_latents(tokens, 6, 8, 1), latents)


def test_a_token_holds_one_2x2_patch():
    latents = torch.arange(2 * 4 * 4, dtype=torch.float32).reshape(1, 2, 4, 4)
    first_token = pack_latents(latents)[0, 0]
    assert first_token.tolist() == [0, 1, 4, 5, 16, 17, 20, 21]


def test_larger_patches_pack_more_latent_per_token_and_invert():
    latents = torch.randn(2, 3, 8, 12)
    tokens = pack_latents(latents, patch_size=4)
    assert tokens.shape == (2, 2 * 3, 3 * 16)
    assert torch.equal(tokens[0, 0], latents[0, :, :4, :4].reshape(-1))
    assert torch.equal(unpack_latents(tokens, 8, 12, patch_size=4), latents)
    ids = latent_position_ids(8, 12, index=1, patch_size=4)
    assert ids[:, 1:].tolist() == [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]


def test_latent_sizes_that_do_not_fill_whole_patches_are_rejected():
    with pytest.raises(ValueError, match="multiples of 2"):
        pack_latents(torch.zeros(1, 4, 5, 4))
    with pytest.raises(ValueError, match="multiples of 4"):
        pack_latents(torch.zeros(1, 4, 6, 8), patch_size=4)


def test_position_ids_are_index_row_column_in_token_order():
    ids = latent_position_ids(4, 6, index=3)
    assert ids.shape == (6, 3)
    assert ids[:, 0].eq(3).all()
    assert ids[:4].tolist() == [[3, 0, 0], [3, 0, 1], [3, 0, 2], [3, 1, 0]]
    assert text_position_ids(5).eq(0).all()


def test_every_world_category_has_a_role():
    assert set(CATEGORIES) <= set(ROLES)
    assert {"person", "pose", "outfit_source", ABSENT_ROLE} <= set(ROLES)


def test_role_embedding_adds_one_vector_per_sample():
    embedding = RoleEmbedding(("person", "top"), channels=8)
    tokens = torch.zeros(2, 3, 8)
    out = embedding(tokens, ["top", "person"])
    assert torch.equal(out[0], embedding.table[1].expand(3, 8))
    assert torch.equal(out[1], embedding.table[0].expand(3, 8))


def test_unknown_and_duplicate_roles_are_rejected():
    with pytest.raises(ValueError, match="unknown roles"):
        RoleEmbedding(ROLES, 8)(torch.zeros(1, 1, 8), ["scarf"])
    with pytest.raises(ValueError, match="duplicate"):
        RoleEmbedding(("top", "top"), 8)


def test_assembled_sequence_puts_the_target_first_with_offset_ids_and_masks_absent_slots():
    embedding = RoleEmbedding(ROLES, 16)
    target = pack_latents(torch.randn(2, 4, 8, 6))
    person = Condition(torch.randn(2, 4, 8, 6), "person")
    garment = Condition(torch.randn(2, 4, 4, 4), ["top", ABSENT_ROLE])
    layout = assemble_sequence(target, (8, 6), [person, garment], embedding)

    assert layout.target_len == 12
    assert layout.hidden_states.shape == (2, 12 + 12 + 4, 16)
    assert torch.equal(layout.hidden_states[:, :12], target)
    assert layout.img_ids[:, 0].tolist() == [0] * 12 + [1] * 12 + [2] * 4
    # A condition at the target's size gets the target's spatial grid, token for token.
    assert torch.equal(layout.img_ids[12:24, 1:], layout.img_ids[:12, 1:])
    assert layout.key_mask[0].all()
    assert layout.key_mask[1, :24].all() and not layout.key_mask[1, 24:].any()
    # Absent content is zeroed: only the absent role vector remains.
    absent_vector = embedding.table[ROLES.index(ABSENT_ROLE)]
    torch.testing.assert_close(layout.hidden_states[1, 24:], absent_vector.expand(4, 16))


def test_no_mask_when_every_condition_is_present():
    layout = assemble_sequence(
        pack_latents(torch.randn(1, 4, 4, 4)),
        (4, 4),
        [Condition(torch.randn(1, 4, 4, 4), "pose")],
        RoleEmbedding(ROLES, 16),
    )
    assert layout.key_mask is None


def test_condition_channel_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="do not match"):
        assemble_sequence(
            pack_latents(torch.randn(1, 4, 4, 4)),
            (4, 4),
            [Condition(torch.randn(1, 8, 4, 4), "top")],
            RoleEmbedding(ROLES, 16),
        )
    with pytest.raises(ValueError, match="2 samples but 1 roles"):
        Condition(torch.zeros(2, 4, 2, 2), ["top"]).roles_per_sample()


def test_drop_conditions_marks_only_the_chosen_samples_absent():
    conditions = [
        Condition(torch.zeros(3, 4, 2, 2), "person"),
        Condition(torch.zeros(3, 4, 2, 2), ["top", "hat", ABSENT_ROLE]),
    ]
    dropped = drop_conditions(conditions, torch.tensor([False, True, False]))
    assert dropped[0].roles_per_sample() == ["person", ABSENT_ROLE, "person"]
    assert dropped[1].roles_per_sample() == ["top", ABSENT_ROLE, ABSENT_ROLE]


def test_garment_roles_are_every_category_and_the_outfit_source_but_not_the_person_or_pose():
    assert set(CATEGORIES) | {"outfit_source"} == set(GARMENT_ROLES)


def test_drop_conditions_of_garment_roles_keeps_the_person_and_pose():
    conditions = [
        Condition(torch.zeros(2, 4, 2, 2), "person"),
        Condition(torch.zeros(2, 4, 2, 2), ["top", "pose"]),
        Condition(torch.zeros(2, 4, 2, 2), ["outfit_source", "shoes"]),
    ]
    dropped = drop_conditions(conditions, torch.tensor([True, False]), only_roles=GARMENT_ROLES)
    assert [c.roles_per_sample() for c in dropped] == [
        ["person", "person"],
        [ABSENT_ROLE, "pose"],
        [ABSENT_ROLE, "shoes"],
    ]
