"""Recomputes every derived benchmark table from what is loaded (work in progress)."""


def refresh(engine, **options) -> dict:
    return {}
