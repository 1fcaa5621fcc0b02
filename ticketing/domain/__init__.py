"""Pure core: no I/O, no clock reads, no async (docs/architecture.md)."""
