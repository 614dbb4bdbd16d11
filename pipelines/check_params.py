"""Stage ``check_params``: check the whole ``params.yaml`` before any other stage runs.

Every other stage depends on its marker, so after a change of ``params.yaml`` ``dvc repro`` runs
this check first: a misspelt key or a value out of range stops the run in about a second, before
DVC removes any stage's previous outputs (it does that just before running a stage's command).
The marker's bytes do not depend on the parameters, so a valid change reruns only the stages
that read the changed keys.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from _entry import run

from aoresearch.atomic import atomic_write_text
from aoresearch.params_schema import check_params_file

MARKER = {"params_checked": True, "schema": "aoresearch.params_schema"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--out", type=Path, default=Path("data/params_checked.json"))
    args = parser.parse_args(argv)
    check_params_file(args.params)  # also run by _entry when a stage starts; explicit here, it is this stage's work
    atomic_write_text(json.dumps(MARKER, indent=2) + "\n", args.out)
    return 0


if __name__ == "__main__":
    run(main)
