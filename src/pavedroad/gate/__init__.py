"""Give findings verdicts by a stage's policy; the run that ties scan, policy and exceptions."""
