"""The RAD matrix as agencies keep it in Excel: reading it (parse*), resolving its names (resolve), importing it
with a preview (importing, import_checks, import_indicators), and writing the plan back as a matrix (collect,
export)."""
