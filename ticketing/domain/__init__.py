"""Pure core: no I/O, no clock reads, no async (DESIGN.md §2)."""
