"""DCAT-AP 3 with rdflib: one graph per dataset, one per catalog page (Hydra paged), serialised as Turtle,
JSON-LD or RDF/XML.

Chinese literals carry ``@zh`` (English names of domains and departments ``@en``). Conditional (有条件开放)
datasets are described metadata-only: their distributions have an ``accessURL`` (the dataset page, where one
applies) and no ``downloadURL``; their access rights are RESTRICTED, open ones PUBLIC. The 12 domains form a
``skos:ConceptScheme``; each domain concept is ``skos:closeMatch`` of an EU data theme, and datasets carry both
themes. The mapping to our fields is the table in docs/exports.md.
"""

from __future__ import annotations

import hashlib
import re
from math import ceil

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from catalog.vocabulary import DOMAINS

from .records import CONVERSIONS, Entry, Urls

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
EU = "http://publications.europa.eu/resource/authority/"
THEME = Namespace(EU + "data-theme/")
FREQ = Namespace(EU + "frequency/")
ACCESS = Namespace(EU + "access-right/")
LANG = Namespace(EU + "language/")
FILE_TYPE = Namespace(EU + "file-type/")
IANA = "http://www.iana.org/assignments/media-types/"

#: Each domain's closest EU data theme (the EU "Data theme" authority table).
EU_THEMES: dict[str, str] = {
    "economy": "ECON", "environment": "ENVI", "education-technology": "TECH", "transport": "TRAN",
    "social-development": "SOCI", "public-safety": "JUST", "culture-leisure": "EDUC", "health": "HEAL",
    "livelihood": "SOCI", "institutions": "GOVE", "urban-construction": "REGI", "credit": "ECON",
}
#: Our update frequencies (catalog/vocabulary.py UPDATE_FREQUENCIES) as EU frequency authority codes.
EU_FREQUENCIES: dict[str, str] = {
    "实时": "UPDATE_CONT", "每日": "DAILY", "每周": "WEEKLY", "每月": "MONTHLY", "每季度": "QUARTERLY",
    "每半年": "ANNUAL_2", "每年": "ANNUAL", "不定期": "IRREG",
}
#: Our formats as EU file-type codes.
EU_FILE_TYPES = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX", "xls": "XLS", "parquet": "PARQUET",
                 "geojson": "GEOJSON", "zip": "ZIP", "pdf": "PDF", "xml": "XML", "txt": "TXT"}
FORMATS = {"turtle": "text/turtle", "json-ld": "application/ld+json", "xml": "application/rdf+xml"}
SUFFIXES = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def new_graph() -> Graph:
    graph = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("skos", SKOS), ("vcard", VCARD),
                       ("spdx", SPDX), ("hydra", HYDRA), ("adms", ADMS), ("xsd", XSD), ("rdfs", RDFS)):
        graph.bind(prefix, ns)
    return graph


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _date(value) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.dateTime)


def add_theme_scheme(graph: Graph, urls: Urls) -> URIRef:
    """The 12 domains as a ``skos:ConceptScheme``, each concept matched to its EU data theme."""
    scheme = URIRef(urls.domains())
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, DCTERMS.title, zh("数据领域")))
    graph.add((scheme, DCTERMS.title, Literal("Data domains", lang="en")))
    for domain in DOMAINS:
        concept = URIRef(urls.domain(domain.code))
        graph.add((concept, RDF.type, SKOS.Concept))
        graph.add((concept, SKOS.inScheme, scheme))
        graph.add((concept, SKOS.prefLabel, zh(domain.name)))
        graph.add((concept, SKOS.prefLabel, Literal(domain.name_en, lang="en")))
        graph.add((concept, SKOS.notation, Literal(domain.code)))
        graph.add((concept, SKOS.closeMatch, THEME[EU_THEMES[domain.code]]))
        graph.add((scheme, SKOS.hasTopConcept, concept))
    return scheme


def _node(*parts: str) -> BNode:
    """A blank node named from what it describes (not rdflib's random id), so the same catalog serializes to the
    same bytes on every request: its ETag holds and clients get 304s (JSON-LD and RDF/XML print the ids)."""
    return BNode("n" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24])


def _license(graph: Graph, entry: Entry) -> URIRef | BNode | None:
    ds = entry.dataset
    for lic in ds.licenses or []:
        path = str(lic.get("path") or "")
        if path.startswith(("http://", "https://")):
            node: URIRef | BNode = URIRef(path)
            graph.add((node, RDF.type, DCTERMS.LicenseDocument))
            if lic.get("title"):
                graph.add((node, DCTERMS.title, zh(str(lic["title"]))))
            return node
    if ds.license_id:
        node = _node("license", ds.license_id)
        graph.add((node, RDF.type, DCTERMS.LicenseDocument))
        graph.add((node, DCTERMS.title, Literal(ds.license_id)))
        return node
    return None


def _temporal(graph: Graph, text: str | None, owner: str) -> BNode | None:
    dates = _DATE.findall(text or "")
    if not dates:
        return None
    period = _node("temporal", owner)
    graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
    kinds = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
    graph.add((period, DCAT.startDate, Literal(dates[0], datatype=kinds[len(dates[0])])))
    if len(dates) > 1:
        graph.add((period, DCAT.endDate, Literal(dates[-1], datatype=kinds[len(dates[-1])])))
    return period


def add_dataset(graph: Graph, entry: Entry, urls: Urls) -> URIRef:
    ds, dom, dept = entry.dataset, entry.domain, entry.department
    node = URIRef(urls.dataset(ds.name))
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.identifier, Literal(ds.name)))
    graph.add((node, DCTERMS.title, zh(ds.title)))
    graph.add((node, DCTERMS.description, zh(ds.description or ds.title)))
    graph.add((node, DCAT.landingPage, URIRef(urls.dataset(ds.name))))
    publisher = URIRef(urls.department(dept.name))
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, zh(dept.title)))
    if dept.title_en:
        graph.add((publisher, FOAF.name, Literal(dept.title_en, lang="en")))
    graph.add((node, DCAT.theme, URIRef(urls.domain(dom.code))))
    if dom.code in EU_THEMES:
        eu_theme = THEME[EU_THEMES[dom.code]]
        graph.add((node, DCAT.theme, eu_theme))
        graph.add((eu_theme, RDF.type, SKOS.Concept))
        graph.add((eu_theme, SKOS.inScheme, URIRef(EU + "data-theme")))
    for keyword in ds.keywords or []:
        graph.add((node, DCAT.keyword, zh(str(keyword))))
    graph.add((node, DCTERMS.issued, _date(ds.created or ds.first_published)))
    graph.add((node, DCTERMS.modified, _date(ds.modified)))
    graph.add((node, DCTERMS.language, LANG.ZHO))
    if ds.version:
        graph.add((node, URIRef(str(DCAT) + "version"), Literal(ds.version)))  # DCAT 3, not in rdflib's DCAT
    if ds.update_frequency in EU_FREQUENCIES:
        graph.add((node, DCTERMS.accrualPeriodicity, FREQ[EU_FREQUENCIES[ds.update_frequency]]))
    period = _temporal(graph, ds.temporal_coverage, ds.name)
    if period is not None:
        graph.add((node, DCTERMS.temporal, period))
    if ds.spatial_coverage:
        place = _node("spatial", ds.name)
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, SKOS.prefLabel, zh(ds.spatial_coverage)))
        graph.add((node, DCTERMS.spatial, place))
    contact = ds.contact or {}
    card = _node("contact", ds.name)
    graph.add((card, RDF.type, VCARD.Kind))
    graph.add((card, RDF.type, VCARD.Organization))
    graph.add((card, VCARD.fn, zh(str(contact.get("name") or dept.title))))
    if contact.get("email"):
        graph.add((card, VCARD.hasEmail, URIRef(f"mailto:{str(contact['email']).strip()}")))
    if contact.get("phone"):
        graph.add((card, VCARD.hasTelephone, Literal(str(contact["phone"]))))
    graph.add((node, DCAT.contactPoint, card))
    graph.add((node, DCTERMS.accessRights, ACCESS.PUBLIC if entry.data_readable else ACCESS.RESTRICTED))
    license_node = _license(graph, entry)
    for res in entry.resources:
        for dist in _distributions(graph, entry, res, urls, license_node):
            graph.add((node, DCAT.distribution, dist))
    return node


def _distributions(graph: Graph, entry: Entry, res, urls: Urls, license_node) -> list[URIRef]:
    ds, resource, current = entry.dataset, res.resource, res.current
    original = (resource.format or "").lower()
    page = urls.dataset(ds.name)
    variants: list[tuple[str, str | None, str, bool]] = [  # (format, media type, query, is original)
        (original, resource.media_type, "", True)]
    if entry.data_readable and current is not None and current.parquet_path:
        variants += [(fmt, media, query, False) for fmt, (media, query) in CONVERSIONS.items() if fmt != original]
    made = []
    for fmt, media, query, is_original in variants:
        node = URIRef(f"{page}#{Urls.seg(resource.name)}" + ("" if is_original else f"-{fmt}"))
        graph.add((node, RDF.type, DCAT.Distribution))
        title = resource.title or resource.name
        graph.add((node, DCTERMS.title, zh(title if is_original else f"{title}（{fmt.upper()}）")))
        if resource.description:
            graph.add((node, DCTERMS.description, zh(resource.description)))
        graph.add((node, DCAT.accessURL, URIRef(page)))
        if entry.data_readable and current is not None:
            graph.add((node, DCAT.downloadURL, URIRef(urls.download(ds.name, resource.name, query))))
        if media:
            graph.add((node, DCAT.mediaType, URIRef(IANA + media)))
        if fmt:
            graph.add((node, DCTERMS["format"], FILE_TYPE[EU_FILE_TYPES.get(fmt, "OCTET")]))
        if license_node is not None:
            graph.add((node, DCTERMS.license, license_node))
        graph.add((node, DCTERMS.rights, zh("无条件开放" if entry.data_readable else "有条件开放")))
        if current is not None:
            if current.schema_ref:
                graph.add((node, DCTERMS.conformsTo, URIRef(urls.schema(current.schema_ref))))
            if is_original:
                graph.add((node, DCAT.byteSize, Literal(current.size, datatype=XSD.nonNegativeInteger)))
                checksum = _node("checksum", ds.name, resource.name)
                graph.add((checksum, RDF.type, SPDX.Checksum))
                graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
                graph.add((checksum, SPDX.checksumValue, Literal(current.sha256, datatype=XSD.hexBinary)))
                graph.add((node, SPDX.checksum, checksum))
            graph.add((node, DCTERMS.modified, _date(current.created)))
        made.append(node)
    return made


def add_catalog(graph: Graph, urls: Urls, *, title: str, description: str, publisher: str) -> URIRef:
    catalog = URIRef(urls.catalog())
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, zh(title)))
    graph.add((catalog, DCTERMS.description, zh(description)))
    graph.add((catalog, FOAF.homepage, URIRef(urls.home())))
    graph.add((catalog, DCTERMS.language, LANG.ZHO))
    agent = URIRef(urls.home() + "#publisher")
    graph.add((agent, RDF.type, FOAF.Organization))
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, zh(publisher)))
    graph.add((catalog, DCTERMS.publisher, agent))
    graph.add((catalog, DCAT.themeTaxonomy, add_theme_scheme(graph, urls)))
    service = URIRef(urls.api())
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, zh(f"{title} API")))
    graph.add((service, DCAT.endpointURL, URIRef(urls.api())))
    graph.add((service, DCAT.endpointDescription, URIRef(urls.openapi())))
    graph.add((service, DCTERMS.accessRights, ACCESS.PUBLIC))
    graph.add((service, DCTERMS.publisher, agent))
    graph.add((catalog, DCAT.service, service))
    return catalog


def catalog_page_graph(entries: list[Entry], urls: Urls, *, page: int, page_size: int, total: int,
                       suffix: str, title: str, description: str, publisher: str) -> Graph:
    """One page of the catalog: the catalog's own description, ``page_size`` datasets, Hydra paging."""
    graph = new_graph()
    catalog = add_catalog(graph, urls, title=title, description=description, publisher=publisher)
    service = URIRef(urls.api())
    for entry in entries:
        node = add_dataset(graph, entry, urls)
        graph.add((catalog, DCAT.dataset, node))
        graph.add((service, DCAT.servesDataset, node))
    last = max(ceil(total / page_size), 1)
    here = URIRef(urls.catalog_page(suffix, page))
    graph.add((here, RDF.type, HYDRA.PagedCollection))
    graph.add((here, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    graph.add((here, HYDRA.itemsPerPage, Literal(page_size, datatype=XSD.integer)))
    graph.add((here, HYDRA.firstPage, Literal(urls.catalog_page(suffix, 1))))
    graph.add((here, HYDRA.lastPage, Literal(urls.catalog_page(suffix, last))))
    if page < last:
        graph.add((here, HYDRA.nextPage, Literal(urls.catalog_page(suffix, page + 1))))
    if page > 1:
        graph.add((here, HYDRA.previousPage, Literal(urls.catalog_page(suffix, min(page - 1, last)))))
    return graph


def dataset_graph(entry: Entry, urls: Urls) -> Graph:
    graph = new_graph()
    add_dataset(graph, entry, urls)
    return graph


def serialize(graph: Graph, fmt: str) -> str:
    """``fmt``: turtle, json-ld or xml."""
    if fmt == "json-ld":
        return graph.serialize(format="json-ld", auto_compact=True)
    return graph.serialize(format=fmt)
