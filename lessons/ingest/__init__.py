"""Bringing pilot summaries in: read files, map columns, validate, preview the change, commit it, undo it.

Modules: ``problems`` (what is wrong and how to fix it), ``normalise`` (vocabularies, countries, dates),
``sheet`` (a sheet of raw rows; decoding and CSV text, shared by the readers), ``tables`` (XLSX, CSV, ZIP, JSON
readers), ``networks`` (a package: GraphML, GEXF, edge lists), ``fields`` (what each sheet holds), ``validate``,
``plan`` (the preview diff), ``commit`` (one transaction, history, undo).
"""
