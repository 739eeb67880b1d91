"""Tables: the rows of a tabular resource version — its typed Parquet copy (``parquet``), the public preview
(``preview``), file conversions (``exports``), and the row-level API: the query string parsed (``query``), turned
into bound-parameter SQL (``sql``) and run by DuckDB with its in-memory cache (``engine``)."""
