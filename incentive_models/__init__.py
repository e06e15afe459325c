"""The settlement engine for positive provider incentives.

- `model`: the model YAML file and its validation (`load_model`, `parse_model`).
- `rules`: what the ten settlement rules are, and the small helpers both implementations share.
- `engine`: how they are computed fast, with intervals (pure functions on DataFrames).
- `runs`: the ledger in the warehouse (`create_draft`, `approve`, `list_runs`, `run_lines`).
- `statement`: Danish statements per provider as csv, xlsx or pdf (`write_statement`).
- `cli`: `socialbench settle run|approve|statement|list`.

See docs/settlements.md.
"""
