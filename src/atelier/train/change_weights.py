"""Loss weights that put the try-on's *change* first.

In most try-on targets almost everything is the person photo again: one new garment changes
about 7% of the latents of a single try-on, a whole outfit about 18% (the share differing from
the photo's by more than `CHANGE_SCALE` on the world's train split, measured by
`benchmarks/changed_latents.py`). With every latent weighed alike, copying the photo already
earns nearly all the loss there is to earn, and the garment, the one thing the user asked for,
is learned last. These weights raise the latents where the target differs from the person
photo, known in training from the two clean latents; no mask exists at inference, and none is
needed there.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

# Mean absolute latent difference (normalised latents, unit variance) at which a latent counts
# as fully changed; the autoencoder maps identical pixels to identical latents, so what stays
# the photo differs by next to nothing.
CHANGE_SCALE = 0.3


def change_weights(target: torch.Tensor, person: torch.Tensor | None, strength: float) -> torch.Tensor:
    """Per-latent loss weights of one sample.

    Args:
        target: (C, h, w) clean target latents.
        person: (C, h, w) clean latents of the person photo in the same frame, or None where the
            target is not that photo changed (try-off's product shot, model-free).
        strength: extra weight of a fully changed latent; 0 weighs all alike.

    Returns:
        (1, h, w) weights, 1 where unchanged and 1 + strength where changed, in between
        proportionally; changes are widened by one latent so their edges count as changed.
    """
    if person is None or strength == 0:
        return torch.ones(1, *target.shape[1:], device=target.device)
    if person.shape != target.shape:
        raise ValueError(f"person latents {tuple(person.shape)} and target latents {tuple(target.shape)} must have one shape")
    difference = (target.float() - person.float()).abs().mean(dim=0, keepdim=True)
    changed = F.max_pool2d(difference[None], kernel_size=3, stride=1, padding=1)[0]
    return 1 + strength * (changed / CHANGE_SCALE).clamp(max=1)
