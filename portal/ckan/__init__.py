"""CKAN-compatible Action API (``/api/3/action``): CKAN clients and harvesters read this catalog unchanged.
See docs/ckan.md."""

from .errors import install_ckan_error_handlers
from .router import router

__all__ = ["install_ckan_error_handlers", "router"]
