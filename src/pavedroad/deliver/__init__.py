"""Where findings go after a gate: PR/MR comments, tickets, rulesets, the editor."""
