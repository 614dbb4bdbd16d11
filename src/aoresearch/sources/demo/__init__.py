"""The ``demo`` source: deterministic synthetic data in Sotkanet's schema with known effects."""

from aoresearch.sources.demo.generate import SYNTHETIC_NOTICE, generate_demo, packaged_regions

__all__ = ["generate_demo", "packaged_regions", "SYNTHETIC_NOTICE"]
