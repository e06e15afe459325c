"""Municipal benchmarking calculations (peers, expected spending, savings potential)."""
