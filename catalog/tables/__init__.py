"""Tables: the rows of a tabular resource version — its typed Parquet copy (``parquet``), the public preview
(``preview``), file conversions (``exports``) and the row-level query engine (``rows``)."""
