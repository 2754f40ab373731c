"""The e-mail channel: rendering, transports, the sending job and the operators' mail log."""
