"""The judges of TryOnBench: the judge interface, the ground-truth judge, the VLM judge, and
Atelier's own parser and feature network with their training and evaluation."""
