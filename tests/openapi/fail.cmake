# Stands in for a test that cannot run on this machine: fails with MESSAGE, so a missing
# tool shows up as a failure with the fix, never as a silent skip.
message(FATAL_ERROR "${MESSAGE}")
