"""A repository's exception records, requesting one from a finding, reviewing them across repos."""
