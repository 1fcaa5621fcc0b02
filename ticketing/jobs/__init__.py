"""APScheduler wiring: thin jobs that call services."""
