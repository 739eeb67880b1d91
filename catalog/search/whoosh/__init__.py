"""The embedded search backend: Whoosh with our jieba tokenizer, a numpy-friendly codec and a parallel
rebuild. Everything Whoosh-specific lives here; the rest of ``catalog/search/`` is backend-neutral."""
