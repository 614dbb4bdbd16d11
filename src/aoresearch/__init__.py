"""aoresearch: indicator data, validation, explainable risk-factor models and per-region
impact evaluation for the regional learning network of child and family services."""

__version__ = "0.1.0"
