"""Datasets: what a harvester hands over (``inputs``), publishing it into the catalog (``publishing``), the
read-side questions about datasets (``queries``), and their download and API-call counts (``stats``)."""
