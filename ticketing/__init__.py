"""ticketing: the privacy inquiry desk."""
