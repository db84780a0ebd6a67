"""Metadata pages of the reform office: data elements, categories and combos, data sets, their
versions (sections, elements, totals) and validation rules.

Metadata belongs to no organisation: the office's administrators (Action.METADATA_MANAGE) change
it, the office's reviewers read it (and get 403 for a change), for everyone else the pages do not
exist (404, orgs.scoping.office_or_404). Every write goes through
reporting.services, which checks the right again and writes the audit row. A published version is
frozen: its pages are read-only, and reports keep the version they were filled against.
"""
