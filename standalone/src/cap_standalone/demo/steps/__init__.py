"""What the demo loader loads, one module per kind: people, diagnostics, recognitions,
applications, the first plan, and the settling at the end."""
