"""Search Sotkanet's indicator list by words: find the id of a concept for the catalogue.

Usage::

    python -m aoresearch.sources.search_indicators psykiatr lasten
    python -m aoresearch.sources.search_indicators "divorce" --api-url https://sotkanet.fi/rest/1.1

Fetches ``{api-url}/indicators`` (``../shared/SOTKANET_API.md``) once and prints, best match
first, each matching indicator's id, the region categories it is published for and its Finnish
and English titles, and the catalogue key where the id is already in the catalogue. Every word
must occur in the Finnish, Swedish or English title (any of them, per word), as a part of a
word, ignoring case and the dots of ä, ö and å; Finnish inflects, so search stems
("lasten" finds "lastensuojelu", not "lapset"). Exit status: 0 matches printed, 1 no match,
2 the list could not be fetched or read.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

import requests

from aoresearch.catalogue import REGION_CATEGORIES, Catalogue, load_catalogue
from aoresearch.errors import CatalogueError, DataSourceError
from aoresearch.sources._http import JsonClient, json_kind, utc_now

__all__ = ["Listing", "Match", "fetch_indicator_list", "parse_indicator_list", "search", "format_matches", "main"]

DEFAULT_API_URL = "https://sotkanet.fi/rest/1.1"
LANGUAGES = ("fi", "sv", "en")
# Short names of the region categories in the printed table.
LEVEL_ABBREVIATIONS = {
    "KUNTA": "K", "SEUTUKUNTA": "SK", "HYVINVOINTIALUE": "HVA", "MAAKUNTA": "MK", "SAIRAANHOITOPIIRI": "SHP",
    "ERVA": "ERVA", "ALUEHALLINTOVIRASTO": "AVI", "SUURALUE": "SA", "NUTS1": "NUTS1", "MAA": "MAA",
}


@dataclass(frozen=True)
class Listing:
    """One entry of ``/indicators``: id, titles by language and region categories (upper case)."""

    id: int
    titles: dict[str, str]
    levels: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """A listing that contains every search word; higher ``score`` ranks first."""

    listing: Listing
    score: float


def fetch_indicator_list(api_url: str, *, timeout_s: float = 60.0, max_retries: int = 2,
                         session: requests.Session | None = None) -> tuple[Listing, ...]:
    """GET ``{api_url}/indicators`` and parse it.

    Raises
    ------
    SourceUnavailableError
        If the server cannot be reached (after ``max_retries`` retries).
    DataSourceError
        If the body is not JSON or not a list of indicator objects.
    """
    own = session is None
    session = requests.Session() if session is None else session
    try:
        client = JsonClient(session, timeout_s, max_retries, 1.0, time.sleep, utc_now)
        reply = client.get(f"{api_url.rstrip('/')}/indicators")
    finally:
        if own:
            session.close()
    return parse_indicator_list(reply.document, reply.url)


def parse_indicator_list(document: Any, url: str) -> tuple[Listing, ...]:
    """Listings of an ``/indicators`` document (a JSON array of indicator objects).

    Raises
    ------
    DataSourceError
        If ``document`` is not an array, or an entry lacks a whole-number ``id`` or any title.
    """
    if not isinstance(document, list):
        raise DataSourceError(f"GET {url}: expected a JSON array of indicators, got {json_kind(document)}.")
    return tuple(_listing(entry, n, url) for n, entry in enumerate(document))


def _listing(entry: Any, n: int, url: str) -> Listing:
    where = f"GET {url}: indicator {n}"
    if not isinstance(entry, dict) or isinstance(entry.get("id"), bool) or not isinstance(entry.get("id"), int):
        raise DataSourceError(f"{where} must be an object with a whole-number 'id', got {str(entry)[:120]!r}.")
    title = entry.get("title")
    titles = {lang: title[lang] for lang in LANGUAGES if isinstance(title, dict) and isinstance(title.get(lang), str)}
    if isinstance(title, str):
        titles = {"fi": title}
    if not titles:
        raise DataSourceError(f"{where} (id {entry['id']}) has no title in {list(LANGUAGES)}; got {title!r}.")
    region = ((entry.get("classifications") or {}).get("region") or {}).get("values") or []
    levels = tuple(str(v).upper() for v in region if isinstance(v, str))
    return Listing(int(entry["id"]), titles, levels)


def fold(text: str) -> str:
    """Lower case without diacritics (ä -> a, ö -> o, å -> a), for matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search(listings: Sequence[Listing], words: Sequence[str]) -> list[Match]:
    """Listings whose titles contain every word, best first.

    A word scores 2 where it starts a word of a title and 1 inside a word (its best language);
    ties go to the shorter Finnish title, then the lower id.

    Raises
    ------
    ValueError
        If ``words`` holds no word.
    """
    folded = [fold(w) for w in words if w.strip()]
    if not folded:
        raise ValueError("search: give at least one word to look for, e.g. 'psykiatr' or 'divorce'.")
    matches = []
    for listing in listings:
        titles = [fold(t) for t in listing.titles.values()]
        scores = [max((_word_score(word, t) for t in titles), default=0) for word in folded]
        if all(scores):
            matches.append(Match(listing, float(sum(scores))))
    return sorted(matches, key=lambda m: (-m.score, len(m.listing.titles.get("fi", "")), m.listing.id))


def _word_score(word: str, title: str) -> int:
    if re.search(r"(?<!\w)" + re.escape(word), title):
        return 2
    return 1 if word in title else 0


def format_levels(levels: Sequence[str]) -> str:
    """``K+`` for the municipality level and all above it (as SOTKANET_IDS.md writes it), else the short names."""
    known = [c for c in REGION_CATEGORIES if c in levels]
    if "KUNTA" in levels and len(known) >= len(REGION_CATEGORIES) - 1:
        missing = [c for c in REGION_CATEGORIES if c not in levels]
        return "K+" + (f" (no {LEVEL_ABBREVIATIONS[missing[0]]})" if missing else "")
    other = [c for c in levels if c not in REGION_CATEGORIES]
    return ",".join([LEVEL_ABBREVIATIONS[c] for c in known] + other) or "?"


def format_matches(matches: Sequence[Match], catalogue: Catalogue | None = None, limit: int = 30) -> str:
    """A plain-text table of the first ``limit`` matches (id, levels, catalogue key, fi and en titles)."""
    keys = {i.sotkanet_id: i.key for i in catalogue.fetchable} if catalogue is not None else {}
    shown = list(matches[:limit])
    rows = [(str(m.listing.id), format_levels(m.listing.levels), keys.get(m.listing.id, "")) for m in shown]
    widths = [max([len(h), *(len(r[k]) for r in rows)]) for k, h in enumerate(("id", "levels", "catalogue"))]
    head = f"{'id':>{widths[0]}}  {'levels':<{widths[1]}}  {'catalogue':<{widths[2]}}  title (fi / en)"
    lines = [head, "-" * len(head)]
    indent = " " * (sum(widths) + 6)
    for (ident, levels, key), match in zip(rows, shown):
        titles = match.listing.titles
        lines.append(f"{ident:>{widths[0]}}  {levels:<{widths[1]}}  {key:<{widths[2]}}  {titles.get('fi') or titles.get('sv') or titles.get('en')}")
        if "en" in titles and "fi" in titles:
            lines.append(f"{indent}{titles['en']}")
    if len(matches) > limit:
        lines.append(f"... {len(matches) - limit} more; add a word or raise --limit.")
    legend = ", ".join(f"{short} {name}" for name, short in LEVEL_ABBREVIATIONS.items())
    lines.append(f"levels: K+ = KUNTA and every category above it; {legend}.")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aoresearch.sources.search_indicators",
        description="Search Sotkanet's indicator list (titles in Finnish, Swedish, English) and print ids, "
                    "region levels and titles. Every word must match; Finnish inflects, so search stems.",
    )
    parser.add_argument("words", nargs="+", help="words to look for, e.g. psykiatr lasten, or divorce")
    parser.add_argument("--api-url", default=DEFAULT_API_URL, help=f"Sotkanet REST base URL (default {DEFAULT_API_URL})")
    parser.add_argument("--limit", type=int, default=30, help="matches to print (default 30)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    parser.add_argument("--retries", type=int, default=2, help="retries after a failed request (default 2)")
    args = parser.parse_args(argv)
    words = [w for phrase in args.words for w in phrase.split()]
    if not words:
        parser.error("give at least one non-empty word")
    try:
        listings = fetch_indicator_list(args.api_url, timeout_s=args.timeout, max_retries=args.retries)
    except DataSourceError as exc:
        sys.stderr.write(f"error: could not read the indicator list: {exc}\n(For this command the base URL is --api-url {args.api_url}.)\n")
        return 2
    matches = search(listings, words)
    if not matches:
        sys.stderr.write(
            f"no indicator of the {len(listings)} in {args.api_url.rstrip('/')}/indicators has every word of "
            f"{words} in its title; try fewer words or stems (e.g. 'psykiatr' for psykiatria/psykiatrian).\n"
        )
        return 1
    try:
        catalogue = load_catalogue()
    except CatalogueError:
        catalogue = None
    sys.stdout.write(format_matches(matches, catalogue, args.limit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
