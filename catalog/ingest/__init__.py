"""One-read ingestion of tables: validate and write Parquet from the same Arrow batches (see ``fastpath``)."""
