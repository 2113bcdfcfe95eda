"""Setting up a real installation without the demo: `flask setup` loads the region's areas (Kutai Timur's by
default, or any kabupaten's region file), the reference lists, the regency's agencies and the first admin."""
