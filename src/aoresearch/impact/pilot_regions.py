"""The regions every donor pool excludes: the ``pilot_regions`` DVC stage's file.

Its own module, apart from :mod:`aoresearch.impact.evaluate`, so that the stage, which only writes
this small file, does not import the estimators (SciPy, pyfixest: about 2 s per run).
"""

from __future__ import annotations

from collections.abc import Sequence

from aoresearch.config import Pilot
from aoresearch.errors import ParameterError

__all__ = ["pilot_regions", "check_pilot_regions"]


def pilot_regions(pilots: Sequence[Pilot]) -> dict:
    """What every pilot's donor pool excludes: each pilot's region and the regions linked to it.

    The ``pilot_regions`` DVC stage writes this to a file that every ``impact@<pilot>`` stage
    depends on, so changing another pilot's region reruns the pilot's evaluation, while a
    change of another pilot's adoption years (the file's bytes stay the same) does not.
    """
    return {"pilots": [{"key": p.key, "region": p.region, "category": p.category, "within": sorted(p.within)}
                       for p in sorted(pilots, key=lambda p: p.key)]}


def check_pilot_regions(document: dict, pilots: Sequence[Pilot], path: str) -> None:
    """Raise if the pilot-region file at ``path`` is stale with respect to ``pilots``.

    Raises
    ------
    ParameterError
        The file does not describe the pilots of params.yaml.
    """
    if document != pilot_regions(pilots):
        raise ParameterError(f"{path} does not match the pilots in params.yaml; run `dvc repro pilot_regions` first.")
