"""Importing the team's own spreadsheets (台账) into the ledger: CSV or XLSX, validated whole.

Why our own small importer rather than django-import-export: every ledger here has rules that
live in services (a disbursement locks its funding line and is checked against the plan as a
whole; an exchange needs at least one pairing), references written the way a clerk knows them
(a unit by name on a side, a body as "第二批 · 产业扶持组"), money that never passes a float,
and messages in the form "第 N 行 · 列名 · 问题 · 原值". django-import-export would have to be
bent at each of those points (its widgets parse numbers through float, its row-by-row save
bypasses our services, its own formula escaping is not ours), for less code than this package.

A ledger is declared once as an `ImportSpec` in its app's `imports.py`, which the ledger app
finds at start-up the way the admin finds `admin.py` (`LedgerConfig.ready()`): the model, the
natural key that finds an existing record, and the columns (header = the field's verbose name
in Chinese or English, or its code name; a parser; required or not). `run.run_import()`:

1. reads the file (`files.read_table`): CSV in UTF-8 (with or without BOM) or GB18030/GBK,
   decoded strictly; or the first (or a named) sheet of an XLSX workbook; with size and row
   limits;
2. parses and validates EVERY row, collecting all errors, each with its spreadsheet row number;
   a row is new (no record with its natural key), updated (values differ) or unchanged;
3. only when no row failed, writes all rows in one transaction through the apps' services
   and `full_clean()`; any database error rolls everything back.

The modules, from the bottom up (each imports only those above it in this list):

- `cells`: a raw cell as text, and how names, headers and choices are compared;
- `errors`: what can be wrong with a cell, a row or a file, and the message a clerk reads;
- `references`: records named in a cell (the lookup tables an import loads once);
- `parsers`: reading one cell into a value (Text, Integer, Money, Date, Choice, Reference …);
- `files`: reading an uploaded CSV or XLSX into rows, within the size limits;
- `specs`: declaring a ledger's import (`ImportSpec`, `Col`) and the registry of them;
- `run`: validating a file's rows against a spec and writing them, all or nothing;
- `workbook`: the import format as XLSX: blank templates and the records for re-import;
- `views`: the admin's upload → preview → confirm, and the list pages' XLSX files.

Callers import from the module that holds a name (`from ledger.imports.run import
run_import`); this package re-exports nothing.
"""
