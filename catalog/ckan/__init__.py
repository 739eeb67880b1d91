"""CKAN semantics over the catalog: ids, package/resource records, Solr-style search (``query``, ``search``)
and ``datastore_search``. The HTTP side (routes, envelope, parameters) is ``portal/ckan/``."""
