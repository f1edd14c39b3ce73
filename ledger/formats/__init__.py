"""Input formats: the files bureau staff and platforms hand the ledger, read into rows."""
