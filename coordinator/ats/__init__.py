"""ATS (out-of-school children) from Pusdatin: importing tables as dated snapshots (parse, match, importing),
reading them (figures, pages), the import history, per-desa outcomes of progress reports and the indicators fed
by the snapshots."""
