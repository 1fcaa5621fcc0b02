"""Litestar adapter: JSON API, HTML pages, guards and templates."""
