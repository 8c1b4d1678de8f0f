"""Where does the focus head look? Its attention mass on the garment images, where the try-on
changes the photo and where it keeps it.

For N validation records of each task whose target is the person photo changed by garments
(single, multi, model-to-model), the checkpoint denoises the target at noise level σ once, and
the focus head of every attention layer (`atelier.models.attention_focus`) reports the share of
its attention that goes to garment tokens. Printed per task, one figure a line: the mean over
layers of that share on target tokens the try-on changes (change share over 0.5), on tokens it
keeps (share under 0.1), and what uniform attention over the keys would give. A model trained
with the attention-focus loss should put much more than uniform on changed tokens and little on
kept ones.

    python benchmarks/attention_focus.py --model runs/focus-finetune [--n 10] [--sigma 0.5]
"""

from __future__ import annotations

import argparse

import torch

from atelier.eval.bench.tuning import TUNING_SPLIT, tuning_records
from atelier.flow.path import interpolate
from atelier.models.conditioning import ABSENT_ROLE, garment_key_mask
from atelier.pipelines import TryOnPipeline
from atelier.train.flow_matching_task import FlowMatchingTask
from atelier.train.run_config import FlowMatchingConfig

TASKS = ("single", "multi", "m2m")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="weights/tryon", help="checkpoint or run folder (default weights/tryon)")
    parser.add_argument("--n", type=int, default=10, help=f"{TUNING_SPLIT} records per task (default 10)")
    parser.add_argument("--sigma", type=float, default=0.5, help="noise level of the target (default 0.5)")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    pipeline = TryOnPipeline.from_pretrained(args.model)
    model = pipeline.transformer
    # The training task's batch: the same encoding and change shares the loss is trained on.
    settings = FlowMatchingConfig(text_dropout=0.0, reference_dropout=0.0, attention_focus=1.0)
    task = FlowMatchingTask(model, pipeline.autoencoder, pipeline.text_encoder, settings, pipeline.config, args.n)
    print(f"model: {args.model}; {args.n} {TUNING_SPLIT} records per task, sigma {args.sigma:g}; focus head's attention on garments")
    for name in TASKS:
        batch = task.make_batch(tuning_records(name, args.n), torch.Generator().manual_seed(0))
        noise = torch.randn(batch.target.shape, generator=torch.Generator().manual_seed(1))
        sigma = torch.full((args.n,), args.sigma)
        with torch.no_grad(), model.attention_focus() as masses:
            text = pipeline.text_encoder(batch.input_ids, batch.attention_mask)
            noisy = interpolate(batch.target, noise, sigma)
            model(noisy, sigma, text.embeddings, text.pooled, batch.conditions, text_mask=batch.attention_mask)
        mass = torch.stack(masses).mean(dim=0)  # (B, L_t), mean over layers
        shares = batch.focus_shares
        garments = garment_key_mask(batch.conditions, args.n, model.config.patch_size).sum(dim=1).float()
        keys = shares.shape[1] + batch.attention_mask.sum(dim=1).float()  # the target and the text
        for condition in batch.conditions:
            present = torch.tensor([role != ABSENT_ROLE for role in condition.roles_per_sample()])
            keys += present * condition.latents.shape[2] * condition.latents.shape[3] / model.config.patch_size**2
        uniform = garments / keys
        print(f"{name}: mass on changed tokens {float(mass[shares > 0.5].mean()):.3f}")
        print(f"{name}: mass on kept tokens {float(mass[shares < 0.1].mean()):.3f}")
        print(f"{name}: uniform attention {float(uniform.mean()):.3f}")


if __name__ == "__main__":
    main()
