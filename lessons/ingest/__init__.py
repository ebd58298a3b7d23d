"""Bringing pilot summaries in: read files, map columns, validate, preview the change, commit it, undo it.

Modules: ``problems`` (what is wrong and how to fix it), ``normalise`` (a package: folding, vocabularies, countries,
dates, yes/no and numbers), ``sheet`` (a sheet of raw rows; decoding and CSV text, shared by the readers), ``tables``
(XLSX, CSV, ZIP, JSON readers), ``networks`` (a package: GraphML, GEXF, edge lists), ``fields`` (what each sheet
holds), ``validate``, ``model_sheets`` (the governance-model sheets), ``template``, ``plan`` (Change, Plan: the
preview diff), ``preview`` (the plan of an upload), ``images`` (a row's before/after image), ``commit`` (one
transaction, row history), ``bulk`` (a long run of new lessons written at once), ``undo`` (undo, the list of
uploads), ``changes`` (preview, commit and undo gathered),
``pipeline`` (read → check → preview → commit, for the page and the CLI).
"""

# The public surface: the modules and packages below (each lists its own names in its __all__).
__all__ = [
    "bulk",
    "changes",
    "commit",
    "fields",
    "images",
    "model_sheets",
    "networks",
    "normalise",
    "pipeline",
    "plan",
    "preview",
    "problems",
    "sheet",
    "tables",
    "template",
    "undo",
    "validate",
]
