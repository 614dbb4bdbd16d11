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
  (``params.yaml: impact``); :mod:`aoresearch.impact.outputs` writes it (schemas there).
"""

from aoresearch.impact._donors import donor_pool
from aoresearch.impact._event_study import TwfeEventStudy
from aoresearch.impact._power import (
    BaselineSummary,
    MinimumDetectableEffect,
    baseline_summary,
    effect_or_baseline,
    minimum_detectable_effect,
)
from aoresearch.impact._results import EffectEstimate, effects_frame
from aoresearch.impact._sc_inference import LeaveOneOut, PlaceboInSpace, PlaceboInTime
from aoresearch.impact._staggered_did import Aggregation, PreTrendTest, StaggeredDiD
from aoresearch.impact._synthetic_control import SyntheticControl
from aoresearch.config.impact import ImpactConfig, parse_impact_config
from aoresearch.impact.evaluate import PilotEvaluation, evaluate_pilot, find_pilot, pilot_donors

__all__ = [
    "SyntheticControl",
    "PlaceboInSpace",
    "PlaceboInTime",
    "LeaveOneOut",
    "StaggeredDiD",
    "Aggregation",
    "PreTrendTest",
    "TwfeEventStudy",
    "minimum_detectable_effect",
    "MinimumDetectableEffect",
    "baseline_summary",
    "BaselineSummary",
    "effect_or_baseline",
    "donor_pool",
    "EffectEstimate",
    "effects_frame",
    "ImpactConfig",
    "parse_impact_config",
    "PilotEvaluation",
    "evaluate_pilot",
    "find_pilot",
    "pilot_donors",
]
