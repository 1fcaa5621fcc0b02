"""Mail adapters: rendering, composing, sending (and later parsing and intake)."""
