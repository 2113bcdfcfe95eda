"""Village verification (verval) of the by-name ATS list: children's pages for verifiers, focal points and
coordinators; the coordinators' import, progress, assignment, reconciliation and the access log."""
