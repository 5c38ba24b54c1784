"""Arakawa's 事務事業分析シート: the parser (``arakawa``, plain Python) and the registered importer (``arakawa_import``)."""
