"""Impact evaluation of the A/B service model, pilot by pilot.

* :class:`SyntheticControl` - synthetic control for one treated region, with in-space and
  in-time placebos and leave-one-out refits (Abadie, Diamond & Hainmueller 2010).
* :class:`StaggeredDiD` - group-time ATTs and their aggregations under staggered adoption
  (Callaway & Sant'Anna 2021), via ``csdid``.
* :class:`TwfeEventStudy` - two-way fixed-effects event study via pyfixest, for comparison.
* :func:`minimum_detectable_effect`, :func:`baseline_summary`, :func:`effect_or_baseline` -
  power from pre-period noise, and monitoring summaries for pilots without post data.
* :func:`donor_pool` - comparable, untreated donors.
* :class:`EffectEstimate` - an effect in rate units and as percent of the counterfactual.
* :func:`evaluate_pilot` - the whole evaluation of one pilot (all outcomes and estimators,
  placebo intervals, power or a baseline), configured by :class:`ImpactConfig`
  (``params.yaml: impact``); :mod:`aoresearch.impact.outputs` writes it and
  :mod:`aoresearch.impact.files` reads it (schemas there).
"""

from importlib import import_module

# Names are loaded on first use (PEP 562): the reports read the impact outputs through
# aoresearch.impact.files, and importing the estimators (csdid, pyfixest: about 8 s) would only
# slow the report notebooks down.
_HOME = {
    "aoresearch.impact._donors": ("donor_pool",),
    "aoresearch.impact._event_study": ("TwfeEventStudy",),
    "aoresearch.impact._power": ("BaselineSummary", "MinimumDetectableEffect", "baseline_summary", "effect_or_baseline",
                                 "minimum_detectable_effect"),
    "aoresearch.impact._results": ("EffectEstimate", "effects_frame"),
    "aoresearch.impact._sc_inference": ("LeaveOneOut", "PlaceboInSpace", "PlaceboInTime"),
    "aoresearch.impact._staggered_did": ("Aggregation", "PreTrendTest", "StaggeredDiD"),
    "aoresearch.impact._synthetic_control": ("SyntheticControl",),
    "aoresearch.config.impact": ("ImpactConfig", "parse_impact_config"),
    "aoresearch.impact.evaluate": ("PilotEvaluation", "evaluate_pilot", "find_pilot", "pilot_donors"),
}
_MODULE = {name: module for module, names in _HOME.items() for name in names}


def __getattr__(name: str):
    if name not in _MODULE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(_MODULE[name]), name)
    globals()[name] = value
    return value


__all__ = [name for names in _HOME.values() for name in names]
