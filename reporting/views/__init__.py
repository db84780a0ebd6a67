"""Reporting pages, one module (or package, past about 600 lines) per area; the routes are in reporting/urls.py."""
