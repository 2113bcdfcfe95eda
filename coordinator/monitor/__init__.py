"""The deadline monitor: what is overdue, due soon and not reported, per agency."""
