"""Read-only JSON API for other systems (issue 7): /api/v1, personal bearer tokens, the web's permissions."""
