"""The policy file (stages, thresholds, exception rules, severity overrides) and comparing two."""
