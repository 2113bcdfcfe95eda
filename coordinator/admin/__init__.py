"""Administration: user accounts and roles, areas (kecamatan, desa/kelurahan), reference lists,
the login history and personal API tokens."""
