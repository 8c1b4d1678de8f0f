"""Atelier: open, universal virtual try-on."""

__version__ = "0.1.0"
