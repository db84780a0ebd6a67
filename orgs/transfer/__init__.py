"""The organisation tree as a spreadsheet: export (.xlsx, CSV), the empty template, and the import.

    columns.py     the template's columns: Chinese headers, how each value is shown and read back
    problems.py    one problem of an import: where (sheet, row, column), the value, what is wrong, how to fix it
    reading.py     the file: checks on the package before any reader touches it, then its rows (.xlsx or CSV)
    plan.py        every check against the tree and the user's scope: the dry run (create, change, move, close)
    storage.py     the private directory where an upload waits between its preview and its confirmation
    services.py    preview, confirm (all or nothing, through orgs.services), audit; the job for large files
    exporting.py   the export and the template (read through the scoping door)
    views.py       the pages; api.py the /api/v1/orgs/ endpoints; tasks.py the worker's task

A round trip (export, then import the file unchanged) plans nothing and writes nothing.
"""
