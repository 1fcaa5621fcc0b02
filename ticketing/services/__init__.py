"""Use cases: async, over ports; no Litestar, no Piccolo (docs/architecture.md)."""
