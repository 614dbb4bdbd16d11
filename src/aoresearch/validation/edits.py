"""Params-driven rendering and hand edits of a stored suite, both honoured.

The rules (:mod:`aoresearch.validation.suites`) render each expectation from the indicator
catalogue and ``params.yaml``; ``python pipelines/validate.py suites`` stores them in
``gx/expectations/<suite>.json``, each with :data:`FINGERPRINT` in its ``meta``: a digest of the
expectation as rendered. A stored expectation whose content (type, kwargs, severity, meta,
notes) no longer matches its own fingerprint was edited by hand. :func:`merge` then decides,
expectation by expectation (matched by ``meta["rule"]``):

- stored and unedited: the fresh rendering runs (a changed threshold in ``params.yaml`` wins);
- stored and edited: the stored version runs (the edit wins) and is reported as edited;
- stored without a fingerprint (added by hand): runs too, reported as added;
- rendered but not stored (e.g. a rate column another data set has): the fresh rendering runs;
- stored with an unedited fingerprint but no longer rendered: dropped (the rules no longer make it).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

__all__ = ["FINGERPRINT", "Merged", "fingerprint", "is_edited", "merge", "rule_of", "stamped"]

FINGERPRINT = "rendered_fingerprint"
_DIGEST_CHARS = 16


def fingerprint(expectation: Any) -> str:
    """Digest of an expectation's content: everything but its id, rendered content and fingerprint.

    The same for a rendered expectation and for the one loaded back from its stored JSON.
    """
    document = expectation.configuration.to_json_dict()
    for key in ("id", "rendered_content"):
        document.pop(key, None)
    document["meta"] = {k: v for k, v in (document.get("meta") or {}).items() if k != FINGERPRINT}
    text = json.dumps(document, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:_DIGEST_CHARS]


def stamped(expectation: Any) -> Any:
    """A copy of a rendered expectation (no id) with its :data:`FINGERPRINT` in ``meta``."""
    fresh = copy.copy(expectation)
    fresh.meta = {**(fresh.meta or {}), FINGERPRINT: fingerprint(expectation)}
    return fresh


def is_edited(stored: Any) -> bool:
    """The stored expectation carries a fingerprint that its content no longer matches."""
    recorded = (stored.meta or {}).get(FINGERPRINT)
    return recorded is not None and recorded != fingerprint(stored)


def rule_of(expectation: Any) -> str:
    """``meta["rule"]``, or ``<type>(<columns>)`` for an expectation added by hand without one.

    ``expectation`` is an Expectation or its ``ExpectationConfiguration`` (as in a validation result).
    """
    meta = expectation.meta or {}
    if "rule" in meta:
        return str(meta["rule"])
    config = getattr(expectation, "configuration", expectation)
    column = config.kwargs.get("column") or ",".join(config.kwargs.get("column_list") or [])
    return f"{config.type}({column})" if column else config.type


@dataclass(frozen=True)
class Merged:
    """The expectations to run for one suite, and which of them come from hand edits.

    Attributes
    ----------
    expectations : tuple
        Copies without ids, rendered ones stamped with their fingerprint; rendered order first,
        then stored-only expectations in their stored order.
    edited : tuple of str
        Rules whose stored version was edited by hand and runs instead of the rendering.
    added : tuple of str
        Rules (or ``<type>(<column>)``) of stored expectations without a fingerprint.
    """

    expectations: tuple[Any, ...]
    edited: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


def merge(rendered: Iterable[Any], stored: Sequence[Any] = ()) -> Merged:
    """The rendering of the rules for the current params, with the hand edits of ``stored``.

    Parameters
    ----------
    rendered : iterable of Expectation
        Fresh expectations from the rules (:class:`~aoresearch.validation.rules.Target`).
    stored : sequence of Expectation
        The expectations of the stored suite (empty: the rendering alone, e.g. ``--reset``).
    """
    rendered = list(rendered)
    rules = {rule_of(e) for e in rendered}
    edits = {rule_of(e): e for e in stored if is_edited(e)}
    chosen = [copy.copy(edits[rule_of(e)]) if rule_of(e) in edits else stamped(e) for e in rendered]
    edited = [rule_of(e) for e in rendered if rule_of(e) in edits]
    added = []
    for expectation in stored:
        rule = rule_of(expectation)
        if FINGERPRINT not in (expectation.meta or {}):
            added.append(rule)
        elif is_edited(expectation) and rule not in rules:
            edited.append(rule)
        else:
            continue
        chosen.append(copy.copy(expectation))
    return Merged(tuple(chosen), tuple(edited), tuple(added))
