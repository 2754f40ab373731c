"""The federation's resource catalogue (its starter entries in ``catalogue.yaml``)."""
