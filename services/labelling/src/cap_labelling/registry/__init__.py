"""The public registry: search labelled and certified structures, verify one, print its
certificate, flag it."""
