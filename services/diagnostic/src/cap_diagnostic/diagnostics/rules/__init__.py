"""Pure rules of diagnostics: their lifecycle and key figures, and their scoring."""
