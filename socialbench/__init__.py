"""socialbench: shared key figures and exact provider settlements for the specialised social area."""

__version__ = "0.1.0"
