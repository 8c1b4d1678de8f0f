import pytest
import torch

from atelier.flow.guidance import Branch, classifier_free_guidance, dual_guidance

# A fake model whose velocity per branch is a known constant plus x, so the combination can be
# checked exactly.
BRANCH_VALUE = {Branch.FULL: 5.0, Branch.REFERENCES: 2.0, Branch.NO_GARMENTS: 0.5, Branch.UNCONDITIONAL: -1.0}


class RecordingBranchFn:
    def __init__(self):
        self.calls: list[tuple[Branch, ...]] = []

    def __call__(self, x, sigma, branches):
        self.calls.append(tuple(branches))
        assert x.shape[0] == sigma.shape[0] == 2 * len(branches)
        offsets = torch.cat([torch.full((2,), BRANCH_VALUE[b]) for b in branches])
        return x + offsets.view(-1, 1)


def test_dual_guidance_stacks_the_referenced_branches_and_runs_the_unconditional_apart():
    branch_fn = RecordingBranchFn()
    model_fn = dual_guidance(branch_fn, text_scale=3.0, reference_scale=1.5)
    x = torch.randn(2, 4)
    v = model_fn(x, torch.full((2,), 0.5))
    expected = -1.0 + 1.5 * (2.0 - -1.0) + 3.0 * (5.0 - 2.0)
    torch.testing.assert_close(v, x + expected)
    assert branch_fn.calls == [(Branch.FULL, Branch.REFERENCES), (Branch.UNCONDITIONAL,)]


def test_unbatched_guidance_equals_batched_with_one_call_per_branch():
    x, sigma = torch.randn(2, 4), torch.full((2,), 0.3)
    batched = dual_guidance(RecordingBranchFn(), text_scale=2.0, reference_scale=4.0)(x, sigma)
    branch_fn = RecordingBranchFn()
    branch_fn_unbatched = lambda x, s, b: branch_fn(x.repeat(len(b), 1), s.repeat(len(b)), b)[: x.shape[0]]  # noqa: E731
    unbatched = dual_guidance(branch_fn_unbatched, text_scale=2.0, reference_scale=4.0, batched=False)(x, sigma)
    torch.testing.assert_close(batched, unbatched)
    assert len(branch_fn.calls) == 3


@pytest.mark.parametrize(
    ("text_scale", "reference_scale", "branches"),
    [
        (1.0, 1.0, (Branch.FULL,)),
        (4.0, 1.0, (Branch.FULL, Branch.REFERENCES)),
        (1.0, 2.0, (Branch.FULL, Branch.REFERENCES, Branch.UNCONDITIONAL)),
    ],
)
def test_branches_whose_terms_cancel_are_not_run(text_scale, reference_scale, branches):
    branch_fn = RecordingBranchFn()
    x = torch.zeros(2, 1)
    v = dual_guidance(branch_fn, text_scale=text_scale, reference_scale=reference_scale)(x, torch.ones(2))
    assert sum(branch_fn.calls, ()) == branches
    expected = -1.0 + reference_scale * 3.0 + text_scale * 3.0
    torch.testing.assert_close(v, torch.full((2, 1), expected))


def test_single_scale_guidance_is_dual_guidance_with_equal_scales():
    x, sigma = torch.randn(2, 3), torch.full((2,), 0.7)
    branch_fn = RecordingBranchFn()
    single = classifier_free_guidance(branch_fn, scale=2.5)(x, sigma)
    dual = dual_guidance(RecordingBranchFn(), text_scale=2.5, reference_scale=2.5)(x, sigma)
    torch.testing.assert_close(single, dual)
    assert branch_fn.calls == [(Branch.FULL,), (Branch.UNCONDITIONAL,)]


def test_without_text_single_scale_guidance_equals_dual_guidance_at_any_text_scale():
    # With every instruction empty, FULL and REFERENCES read the same inputs (v_full = v_ref):
    # the text term vanishes and the pipeline may run one branch fewer.
    same_text = {**BRANCH_VALUE, Branch.REFERENCES: BRANCH_VALUE[Branch.FULL]}

    def branch_fn(x, sigma, branches):
        return x + torch.cat([torch.full((2,), same_text[b]) for b in branches]).view(-1, 1)

    x, sigma = torch.randn(2, 3), torch.full((2,), 0.4)
    single = classifier_free_guidance(branch_fn, scale=1.5)(x, sigma)
    for text_scale in (1.0, 3.0):
        torch.testing.assert_close(single, dual_guidance(branch_fn, text_scale=text_scale, reference_scale=1.5)(x, sigma))


@pytest.mark.parametrize("reference_scale", [1.0, 2.0])
def test_garment_guidance_splits_the_reference_term_at_the_garment_free_branch(reference_scale):
    branch_fn = RecordingBranchFn()
    x = torch.randn(2, 4)
    v = dual_guidance(branch_fn, text_scale=3.0, reference_scale=reference_scale, garment_scale=6.0)(x, torch.ones(2))
    # v_uncond + s_ref·(v_bare − v_uncond) + s_garment·(v_ref − v_bare) + s_text·(v_full − v_ref)
    expected = -1.0 + reference_scale * (0.5 - -1.0) + 6.0 * (2.0 - 0.5) + 3.0 * (5.0 - 2.0)
    torch.testing.assert_close(v, x + expected)
    stacked = (Branch.FULL, Branch.REFERENCES, Branch.NO_GARMENTS)
    assert branch_fn.calls == ([stacked] if reference_scale == 1.0 else [stacked, (Branch.UNCONDITIONAL,)])


def test_garment_guidance_equal_to_reference_guidance_is_plain_dual_guidance():
    x, sigma = torch.randn(2, 3), torch.full((2,), 0.6)
    branch_fn = RecordingBranchFn()
    with_garment = dual_guidance(branch_fn, text_scale=2.0, reference_scale=2.5, garment_scale=2.5)(x, sigma)
    torch.testing.assert_close(with_garment, dual_guidance(RecordingBranchFn(), text_scale=2.0, reference_scale=2.5)(x, sigma))
    assert Branch.NO_GARMENTS not in sum(branch_fn.calls, ())
