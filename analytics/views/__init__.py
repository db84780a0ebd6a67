"""The analysis pages, one module per page: the leaders' dashboard (驾驶舱, `dashboard`), the pivot table
and its .xlsx export (`pivot`), drill-through to the reports behind a figure (`drill`), charts
(`charts`), the prefecture map (`map`), saved views (`saved_views`), and the indicator definitions
and department statistics (`definitions`). `common` holds what several pages share; `presenters` lays
an answer out as the pivot table and the chart spec. The routes are in analytics/urls.py.

Every figure comes from `analytics.engine` (the same answer the API and the exports give), which
limits it to the user's own subtree: an organisation outside it is a 404. Numbers are formatted by
the engine and core.formatting (730.75万, 13.71%, 2021年度); the browser never formats a figure.
Charts are drawn by static/analytics/charts.js from a JSON spec embedded with json_script (the
content security policy allows no inline script).
"""
