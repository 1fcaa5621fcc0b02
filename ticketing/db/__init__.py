"""Piccolo adapter: tables and repositories (the only place that queries tables)."""
