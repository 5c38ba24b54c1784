"""Effects from CSV or XLSX: the parser (``effects``, plain Python) and the registered importer (``effects_import``)."""
