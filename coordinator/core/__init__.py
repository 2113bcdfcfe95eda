"""What every capability uses: the clock, the change history (audit) and how it reads, permissions, domain
errors, the data revision, reading uploaded tables, exports, write-once rows, option lists, SVG charts and
Indonesian formatting. Nothing here imports a capability or `flask.request`."""
