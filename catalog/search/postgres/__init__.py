"""The PostgreSQL search backend (``ODP_SEARCH_BACKEND=postgres``): the index in the catalog database."""
