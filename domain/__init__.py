"""The PARS domain model: aggregates, their events and their rules. Pure Python, no I/O."""
