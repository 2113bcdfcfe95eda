"""Server-side SVG maps of the regency's areas: boundaries (shapes), projection and choropleths."""
