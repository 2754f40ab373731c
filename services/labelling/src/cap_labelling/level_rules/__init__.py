"""Level rules: the pure CAP RSE level rule, stored per referential version, imported and exported."""
