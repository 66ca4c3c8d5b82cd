"""The `pars` command line."""
