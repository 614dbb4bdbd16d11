"""Data sources. Each delivers a :class:`RawData` in Sotkanet's long schema."""

from aoresearch.sources.raw import RawData, read_raw, write_raw

__all__ = ["RawData", "read_raw", "write_raw"]
