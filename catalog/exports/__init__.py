"""Metadata exports that let other catalogs, aggregators and search engines find and harvest the portal:
DCAT-AP 3 (``dcat``), DCAT-US 1.1 ``data.json`` (``datajson``), Frictionless ``datapackage.json``
(``datapackage``), ``sitemap.xml`` (``sitemap``), Atom feeds (``feeds``) and citations (``citation``).

Every export lists only what ``catalog/access.py`` says is listed (``records`` reads through
``access.listed_clause()``) and describes data as anonymous callers see it: a download link only where
``access.data_readable`` allows. Every absolute URL starts with ``Settings.public_base_url``. See docs/exports.md.
"""
