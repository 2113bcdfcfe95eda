"""Backup and restore of a whole installation, the database and UPLOAD_DIR in one archive: `flask backup` and
`flask restore` (cli), the runs themselves (operations) and the archive with its manifest (archive)."""
