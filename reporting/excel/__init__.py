"""Excel templates and imports of reporting data (and the CSV/JSON imports of the API).

container.py   checks on the file as bytes and as a zip package, before any parsing
stamp.py       the signed version stamp in the hidden sheet 模板信息
template.py    writing templates and error workbooks (openpyxl, write-only)
reader.py      reading the stamp, headers and values (python-calamine)
plan.py        checking entries against the database: the dry run
importer.py    downloads, upload → preview → confirm, audit
storage.py     the private directory where uploads wait for confirmation
tabular.py     CSV and JSON bodies for the API
problems.py    the catalogue of problems (code, where, message, how to fix)
"""
