"""Use cases: async, over ports; no Litestar, no Piccolo (DESIGN.md §2)."""
