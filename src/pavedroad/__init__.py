"""Paved Road: hardened templates, tiered security gates and managed exceptions."""

__version__ = "0.1.0"
