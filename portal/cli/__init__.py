"""The ``odp`` command line (being split into one module per command group)."""

from .catalog import app

__all__ = ["app"]
