"""The domain: functions that take plain values and `now`, flush but never commit."""
