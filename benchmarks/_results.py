"""The result file every benchmark writes: the machine it ran on and the JSON itself."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path


def machine() -> dict:
    """Cores and Python version of the machine the benchmark runs on."""
    return {"cpus": os.cpu_count(), "python": platform.python_version()}


def write_result(path: Path, result: dict) -> None:
    """``result`` as indented JSON at ``path`` (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
