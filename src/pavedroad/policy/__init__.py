"""The policy file: stages, thresholds, exception rules, severity overrides."""
