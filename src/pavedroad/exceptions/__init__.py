"""Exception records, requesting one from a finding, and reviewing them across repositories."""
