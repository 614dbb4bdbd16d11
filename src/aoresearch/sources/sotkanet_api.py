"""The ``sotkanet`` source: THL's Sotkanet REST API (see ``../shared/SOTKANET_API.md``).

One indicator is requested at a time (metadata, then data for the wanted years and genders),
and the region list once. Every response body is kept as received, together with its URL,
status and retrieval time, because Sotkanet revises its data: reproducibility rests on the
stored responses and ``data-updated``, not on re-fetching. The function returns only after
every fetchable indicator arrived; otherwise it raises and nothing is written.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import requests

from aoresearch.catalogue import Catalogue, Indicator
from aoresearch.config import ApiConfig
from aoresearch.errors import CatalogueError, DataSourceError, ParameterError, UnknownIndicatorError
from aoresearch.sources._http import JsonClient, JsonResponse, is_number, is_whole, iso_utc, json_kind, utc_now
from aoresearch.sources.levels import level_notices
from aoresearch.sources.raw import (
    GENDERS,
    OBSERVATION_COLUMNS,
    RawData,
    coerce_observations,
    coerce_regions,
    merge_year_records,
    recover_interrupted_write,
    restrict_years,
    write_raw,
    years_notice,
)

__all__ = ["fetch_sotkanet", "fetch_to_folder"]

logger = logging.getLogger(__name__)
_LICENCE = "CC BY 4.0, source: THL, Sotkanet"
_WHOLE_FIELDS = ("indicator", "region", "year")
_VALUE_FIELDS = ("value", "absValue")
_FIELD_OF_KIND = {"primary": "value", "absolute": "absValue"}  # catalogue 'value' -> record field


def fetch_sotkanet(
    catalogue: Catalogue,
    config: ApiConfig,
    years: range,
    *,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], datetime] = utc_now,
) -> RawData:
    """Fetch the catalogue's indicators for ``years`` from the Sotkanet REST API.

    Parameters
    ----------
    catalogue : Catalogue
        Indicators to fetch; entries without a Sotkanet id are skipped with a logged warning
        and a notice in the provenance.
    config : ApiConfig
        Base URL, timeout, retries, backoff and genders to request.
    years : range
        Years to request (``years=`` repeated per year).
    session : requests.Session, optional
        HTTP session; a new one (closed afterwards) by default.
    sleep : callable, default time.sleep
        Waits between retries (injected so tests do not wait).
    clock : callable, default current UTC time
        Returns an aware datetime for the provenance time stamps.

    Returns
    -------
    RawData
        Observations of shape (n_rows, 6) in the raw long schema, the region table, a
        provenance record and ``responses`` (file name to response body as received).

    Raises
    ------
    ParameterError
        If ``years`` is empty.
    CatalogueError
        If no catalogue entry has a Sotkanet id.
    SourceUnavailableError
        If a request still times out, cannot connect or gets HTTP 429/5xx after all retries.
    UnknownIndicatorError
        If Sotkanet answers 404 for an indicator id (message names the id and catalogue key).
    DataSourceError
        If a body is invalid JSON after all retries or not JSON at all (an HTML page), a record
        or region lacks a field or has the wrong type, no record of an indicator carries the
        value field its catalogue entry uses (``value`` or ``absValue``; renamed by the API?),
        or the server answers another HTTP error.
    RawDataError
        If a record has a year after the current calendar year (of ``clock``).

    Notes
    -----
    ``config.timeout_s`` is the deadline of one whole request (connect and every read); each
    of the ``config.max_retries`` retries gets its own. Records of years outside ``years`` are
    dropped and listed in the provenance (``dropped_years`` and a notice).
    """
    if len(years) == 0:
        raise ParameterError("fetch_sotkanet: 'years' is empty; check data.years.start/end in params.yaml.")
    if not catalogue.fetchable:
        raise CatalogueError(
            f"{catalogue.source}: no entry has a sotkanet_id, so there is nothing to fetch; "
            f"fill in ids or use data.source: demo."
        )
    own_session = session is None
    session = requests.Session() if session is None else session
    client = JsonClient(session, config.timeout_s, config.max_retries, config.backoff_s, sleep, clock)
    try:
        now = clock()
        return _fetch_all(client, catalogue, config, years, started=iso_utc(now), current_year=now.year)
    finally:
        if own_session:
            session.close()


def fetch_to_folder(
    catalogue: Catalogue,
    config: ApiConfig,
    years: range,
    out_dir: str | Path,
    **kwargs: Any,
) -> RawData:
    """Fetch with :func:`fetch_sotkanet` and write the result atomically to ``out_dir``.

    ``out_dir`` is written only after every indicator arrived; on any failure it is left
    exactly as it was (absent, or the previous data set). Leftovers of an earlier interrupted
    write are repaired first. ``kwargs`` go to ``fetch_sotkanet``.

    Raises
    ------
    DataSourceError
        Any failure of :func:`fetch_sotkanet` (including its subclasses).
    RawDataError
        If a record has a year after the current calendar year.
    """
    recover_interrupted_write(out_dir)
    raw = fetch_sotkanet(catalogue, config, years, **kwargs)
    write_raw(raw, out_dir)
    logger.info("wrote %d Sotkanet rows to %s", len(raw.observations), out_dir)
    return raw


def _fetch_all(
    client: JsonClient, catalogue: Catalogue, config: ApiConfig, years: range, started: str, current_year: int,
) -> RawData:
    base = config.base_url.rstrip("/")
    notices = [
        _warn(f"catalogue entry '{i.key}' has no Sotkanet id yet; skipped (fill in sotkanet_id to fetch it)")
        for i in catalogue.unfetchable
    ]
    reply = client.get(f"{base}/regions")
    responses = {"regions.json": reply.text}
    regions = _regions_frame(reply)
    frames, entries, year_records = [], {}, []
    for indicator in catalogue.fetchable:
        frame, entry, dropped_years = _fetch_indicator(client, base, indicator, config, years, responses, notices, current_year)
        frames.append(frame)
        year_records.append(dropped_years)
        entries[str(indicator.sotkanet_id)] = entry
    observations = coerce_observations(pd.concat(frames, ignore_index=True), f"Sotkanet API {base}")
    unknown = sorted(set(observations["region"].unique()) - set(regions["id"]))
    if unknown:
        notices.append(_warn(f"{len(unknown)} region ids in the data are missing from {base}/regions: {unknown[:10]}"))
    notices.extend(_warn(n) for n in level_notices(observations, regions, catalogue))
    provenance = {
        "source": "sotkanet", "synthetic": False, "base_url": base, "retrieved_at": started,
        "years": [years[0], years[-1]], "genders": list(config.genders), "requests": client.request_log,
        "indicators": entries, "dropped_years": merge_year_records(year_records), "notices": notices, "licence": _LICENCE,
    }
    return RawData(observations, regions, provenance, responses=responses)


def _fetch_indicator(
    client: JsonClient, base: str, indicator: Indicator, config: ApiConfig, years: range,
    responses: dict[str, str], notices: list[str], current_year: int,
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """Fetch metadata and data of one indicator; store bodies and notices.

    Returns the rows within ``years``, the indicator's provenance entry and the record of rows
    dropped for their year (:func:`~aoresearch.sources.raw.restrict_years`).
    """
    ident = indicator.sotkanet_id
    label = f"indicator {ident} ({indicator.key})"
    genders = [g for g in config.genders if g in indicator.genders]
    if not genders:
        genders = list(indicator.genders)
        notices.append(_warn(f"{label}: not published for data.sotkanet.genders {list(config.genders)}; requested {genders}"))

    def not_found(url: str) -> UnknownIndicatorError:
        return UnknownIndicatorError(
            f"Sotkanet does not know indicator id {ident} (catalogue key '{indicator.key}'): GET {url} "
            f"returned 404. Correct its sotkanet_id in the indicator catalogue, or set it to null to skip it."
        )

    meta = client.get(f"{base}/indicators/{ident}", not_found=not_found)
    responses[f"indicator_{ident}_meta.json"] = meta.text
    data = client.get(f"{base}/json", {"indicator": ident, "years": list(years), "genders": genders}, not_found=not_found)
    responses[f"indicator_{ident}_data.json"] = data.text
    frame = _records_frame(data, indicator, notices)
    frame, dropped_years = restrict_years(frame, years, f"GET {data.url}", current_year)
    notices.extend(_warn(n) for n in (years_notice(dropped_years, label),) if n)
    entry = _metadata_entry(meta, indicator, len(frame))
    notices.extend(_warn(n) for n in _indicator_notices(entry, label, years))
    logger.info("fetched %s: %d rows (data updated %s)", label, len(frame), entry["data_updated"])
    return frame, entry, dropped_years


def _records_frame(reply: JsonResponse, indicator: Indicator, notices: list[str]) -> pd.DataFrame:
    """Turn the data endpoint's array of flat records into raw long rows (``absValue`` -> ``abs_value``).

    Raises
    ------
    DataSourceError
        If the body is not an array, a record lacks a field or has the wrong type, repeats a
        key, or no record carries the value field the catalogue entry uses.
    """
    ident = indicator.sotkanet_id
    if not isinstance(reply.document, list):
        raise DataSourceError(f"GET {reply.url}: expected a JSON array of records, got {json_kind(reply.document)}.")
    for n, record in enumerate(reply.document):
        _check_record(record, n, reply.url, ident)
    _check_value_field(reply, indicator, notices)
    rows = [(r["indicator"], r["region"], r["year"], r["gender"], r.get("value"), r.get("absValue")) for r in reply.document]
    frame = pd.DataFrame.from_records(rows, columns=list(OBSERVATION_COLUMNS))
    duplicated = frame.duplicated(["indicator", "region", "year", "gender"])
    if duplicated.any():
        example = frame.loc[duplicated].iloc[0].to_dict()
        raise DataSourceError(f"GET {reply.url}: {int(duplicated.sum())} duplicated records, e.g. {example}.")
    return frame


def _check_value_field(reply: JsonResponse, indicator: Indicator, notices: list[str]) -> None:
    """Fail when no record carries the value the catalogue uses; notice records that lack it.

    Without this check a renamed field (``abs_value`` for ``absValue``) would read as missing
    values everywhere and give an indicator of empty counts.
    """
    records = reply.document
    if not records:
        return
    needed = _FIELD_OF_KIND[indicator.value]
    label = f"indicator {indicator.sotkanet_id} ({indicator.key})"
    without = sum(1 for r in records if r.get(needed) is None)
    if without == len(records):
        found = sorted({name for r in records for name in r})
        state = "null in every record" if any(needed in r for r in records) else "absent from every record"
        raise DataSourceError(
            f"{label}: the catalogue uses its {indicator.value} value, field '{needed}', but that field is "
            f"{state} of the {len(records)} records from GET {reply.url}; fields found: {found}. The API's "
            f"record shape changed (a renamed field?) or the catalogue's 'value' is wrong; fix the catalogue "
            f"entry or the client before ingesting, so that the indicator does not turn into empty counts."
        )
    if without:
        notices.append(_warn(f"{label}: {without} of {len(records)} records have no '{needed}' (absent or null); those cells stay empty"))


def _check_record(record: Any, n: int, url: str, ident: int) -> None:
    where = f"GET {url}: record {n}"
    if not isinstance(record, dict):
        raise DataSourceError(f"{where} is {json_kind(record)}, expected an object with fields indicator, region, year, gender, value, absValue.")
    for name in (*_WHOLE_FIELDS, "gender"):
        if name not in record:
            raise DataSourceError(f"{where} has no field '{name}' (got fields {sorted(record)}); the API's record shape changed.")
    for name in _WHOLE_FIELDS:
        if not is_whole(record[name]):
            raise DataSourceError(f"{where}: field '{name}' must be a whole number, got {record[name]!r}.")
    if int(record["indicator"]) != ident:
        raise DataSourceError(f"{where}: field 'indicator' is {record['indicator']!r}, but indicator {ident} was requested.")
    if record["gender"] not in GENDERS:
        raise DataSourceError(f"{where}: field 'gender' must be one of {list(GENDERS)}, got {record['gender']!r}.")
    for name in _VALUE_FIELDS:
        value = record.get(name)
        if value is not None and not is_number(value):
            raise DataSourceError(f"{where}: field '{name}' must be a number or null, got {value!r}.")


def _metadata_entry(reply: JsonResponse, indicator: Indicator, rows: int) -> dict[str, Any]:
    """Provenance entry of one indicator from its metadata document.

    Raises
    ------
    DataSourceError
        If the metadata is not a JSON object or describes another indicator id.
    """
    doc = reply.document
    if not isinstance(doc, dict):
        raise DataSourceError(f"GET {reply.url}: expected a JSON object of indicator metadata, got {json_kind(doc)}.")
    if "id" in doc and doc["id"] != indicator.sotkanet_id:
        raise DataSourceError(f"GET {reply.url}: field 'id' is {doc['id']!r}, expected {indicator.sotkanet_id}.")
    value_type = doc.get("primaryValueType")
    return {
        "key": indicator.key,
        "title": _title_fi(doc.get("title")),
        "data_updated": doc.get("data-updated"),
        "range": doc.get("range"),
        "primary_value_type": value_type.get("code") if isinstance(value_type, dict) else None,
        "rows": rows,
    }


def _indicator_notices(entry: dict[str, Any], label: str, years: range) -> list[str]:
    notices = []
    if not entry["data_updated"]:
        notices.append(f"{label}: the metadata has no 'data-updated'; revisions of this series cannot be dated")
    span = entry["range"]
    if isinstance(span, dict) and is_whole(span.get("start")) and is_whole(span.get("end")):
        outside = [y for y in years if not span["start"] <= y <= span["end"]]
        if outside:
            notices.append(f"{label}: Sotkanet has years {span['start']}-{span['end']}; {len(outside)} requested years lie outside")
    if entry["rows"] == 0:
        notices.append(f"{label}: the API returned no rows for years {years[0]}-{years[-1]}")
    return notices


def _regions_frame(reply: JsonResponse) -> pd.DataFrame:
    """Region table (id, title_fi, category, code) from the ``/regions`` document.

    Raises
    ------
    DataSourceError
        If the body is not an array of region objects with id, category and title.fi.
    """
    if not isinstance(reply.document, list):
        raise DataSourceError(f"GET {reply.url}: expected a JSON array of regions, got {json_kind(reply.document)}.")
    rows = []
    for n, region in enumerate(reply.document):
        where = f"GET {reply.url}: region {n}"
        if not isinstance(region, dict):
            raise DataSourceError(f"{where} is {json_kind(region)}, expected an object.")
        if not is_whole(region.get("id")):
            raise DataSourceError(f"{where}: field 'id' must be a whole number, got {region.get('id')!r}.")
        if not isinstance(region.get("category"), str):
            raise DataSourceError(f"{where}: field 'category' must be text, got {region.get('category')!r}.")
        title = _title_fi(region.get("title"))
        if title is None:
            raise DataSourceError(f"{where}: field 'title.fi' is missing (got title {region.get('title')!r}).")
        code = region.get("code")
        rows.append({"id": int(region["id"]), "title_fi": title, "category": region["category"], "code": "" if code is None else str(code)})
    return coerce_regions(pd.DataFrame(rows, columns=["id", "title_fi", "category", "code"]), f"GET {reply.url}")


def _title_fi(title: Any) -> str | None:
    if isinstance(title, dict) and isinstance(title.get("fi"), str):
        return title["fi"]
    return title if isinstance(title, str) else None


def _warn(notice: str) -> str:
    logger.warning(notice)
    return notice
