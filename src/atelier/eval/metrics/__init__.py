"""Metrics with the torchmetrics contract, each checked against an independent implementation:
pixel (SSIM, PSNR), perceptual (LPIPS, DISTS), distribution (FID, KID), image similarity, retrieval
and captioning scores, colour and texture agreement."""
