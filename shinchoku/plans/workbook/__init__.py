"""The plan workbook (計画ワークブック): one XLSX (or a ZIP of CSVs) per plan, in the shape staff keep.

- :mod:`.format` — sheets, columns, header aliases, vocabularies (the data dictionary);
- :mod:`.reader` — file → :class:`.data.WorkbookData`, problems with their places;
- :mod:`.check` — checks across rows and sheets (unknown parent, cycle, status off the scale …);
- :mod:`.apply` — write into the database, all or nothing, keyed by codes, counted per sheet;
- :mod:`.writer` — plan → workbook, and the blank template;
- :mod:`.importer` — ``shinchoku import workbook PATH`` (registered as kind ``workbook``).

See ``docs/plan-workbook.md``.
"""
