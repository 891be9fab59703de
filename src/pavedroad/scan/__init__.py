"""Scan a repository: what is gated, the result cache, git change sets."""
