"""The restitution report of a diagnostic: what it shows (``data``), drawn as a PDF (``pdf``)."""
