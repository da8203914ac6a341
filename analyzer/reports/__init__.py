"""The report layer: what a results database says, rendered for people.

The store computes the figures (:func:`analyzer.store.summaries.build_summary`,
:meth:`analyzer.store.Store.results`,
:func:`analyzer.store.ranking.build_ranking`); the modules here only render
them, as ``conduct report`` writes them and the review app prints them:

* :mod:`analyzer.reports.summary`: per hall, window, article, rule and day
  (text, one CSV table, a self-contained HTML page with inline SVG charts);
* :mod:`analyzer.reports.staff`: per staff member or window over a period
  (text, CSV, JSON, HTML);
* :mod:`analyzer.reports.ranking`: the 红黑榜 of a month, quarter or year
  (JSON, CSV, a printable HTML page).

Pages are Jinja2 templates in ``reports/templates`` (autoescaped); they open
offline (no scripts, no CDN) and can be mailed.
"""
