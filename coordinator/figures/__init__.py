"""The headline figures, each defined once (issue 20): why an action is late, how many children went back to
school, the budget and its absorption, and the month's figures for a scope as one JSON object. The monitor, the
action list, the API, the monthly PDF and `flask report figures` read these definitions; the page /definisi
(templates/figures/_definitions.html, also the report's annex) explains each one to its readers."""
