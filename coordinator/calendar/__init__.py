"""Private iCalendar feeds of deadlines and the account page that manages their secret URLs."""
