"""National time profiles and true factor effects of the synthetic demo data.

The magnitudes follow published Finnish figures (THL, Statistics Finland): children 0-17 placed
outside the home 0.8% of children in 1992 rising to 1.7% in 2021; families with children on
social assistance 9-13%; child low-income rate 6-13%; unemployment 10-19% in the 1990s
recession, lower since. They are written by hand from those public figures, not copied from
any data file, and give the demo realistic scales. Nothing here is real data.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FACTORS", "OUTCOMES", "national_profile", "FACTOR_EFFECTS", "OUTCOME_SPREAD"]

# Factor rate column -> (spread on the log scale per latent SD, anchor points year: national level)
FACTORS: dict[str, tuple[float, dict[int, float]]] = {
    "unemployment_pct": (0.25, {1990: 10.5, 1991: 13.0, 1993: 18.5, 1994: 19.0, 1997: 15.5, 2001: 12.5, 2008: 10.0, 2010: 11.8, 2015: 13.6, 2019: 10.4, 2020: 12.9, 2022: 10.8, 2024: 11.5}),
    "social_assistance_pct": (0.30, {1990: 10.5, 1995: 13.0, 1999: 11.8, 2004: 10.0, 2008: 9.0, 2010: 9.8, 2016: 11.5, 2019: 10.4, 2024: 10.8}),
    "child_low_income_pct": (0.30, {1990: 6.0, 1995: 6.5, 2000: 10.0, 2007: 13.0, 2012: 12.5, 2017: 11.0, 2021: 10.6, 2024: 11.2}),
    "adult_psych_care_per_1000": (0.20, {1990: 32.0, 2005: 42.0, 2024: 58.0}),
    "substance_use_care_per_1000": (0.30, {1990: 8.5, 2008: 9.0, 2024: 6.5}),
    "divorces_per_1000": (0.15, {1990: 12.0, 2005: 13.5, 2024: 11.5}),
    "chronic_illness_pct": (0.15, {1990: 19.0, 2010: 23.0, 2024: 26.0}),
    "leisure_participation_pct": (0.10, {1990: 62.0, 2010: 66.0, 2024: 70.0}),
}

# Outcome rate column -> (between-region spread of the log rate, anchor points of the national level)
# Rates per 1,000: children placed outside the home 7.5 (1990) to 17.5 (2024), i.e. 0.8% in 1992
# and 1.7% in 2021 as published.
OUTCOMES: dict[str, tuple[float, dict[int, float]]] = {
    "oohc_per_1000": (0.25, {1990: 7.5, 1992: 8.0, 2000: 10.5, 2008: 13.5, 2014: 15.5, 2021: 17.0, 2024: 17.5}),
    "school_absence_pct": (0.20, {1990: 9.0, 2010: 11.0, 2024: 15.0}),
    "child_psych_outpatient_per_1000": (0.25, {1990: 20.0, 2005: 40.0, 2024: 85.0}),
    "child_psych_inpatient_per_1000": (0.30, {1990: 1.4, 2010: 2.0, 2024: 2.6}),
}

OUTCOME_SPREAD = {k: v[0] for k, v in OUTCOMES.items()}

# True effect of each factor (one latent SD, lagged one year) on each outcome's log rate.
# Positive = risk factor, negative = protective. Magnitudes are distinct so that the
# ranking of the strongest factors is well defined.
FACTOR_EFFECTS: dict[str, dict[str, float]] = {
    "oohc_per_1000": {
        "social_assistance_pct": 0.16, "substance_use_care_per_1000": 0.12, "adult_psych_care_per_1000": 0.09,
        "leisure_participation_pct": -0.08, "child_low_income_pct": 0.06, "unemployment_pct": 0.05,
        "divorces_per_1000": 0.04, "chronic_illness_pct": 0.03,
    },
    "school_absence_pct": {
        "leisure_participation_pct": -0.12, "child_low_income_pct": 0.08, "divorces_per_1000": 0.06,
        "adult_psych_care_per_1000": 0.05, "social_assistance_pct": 0.04, "substance_use_care_per_1000": 0.035,
        "unemployment_pct": 0.03, "chronic_illness_pct": 0.02,
    },
    "child_psych_outpatient_per_1000": {
        "adult_psych_care_per_1000": 0.14, "leisure_participation_pct": -0.07, "divorces_per_1000": 0.06,
        "social_assistance_pct": 0.04, "substance_use_care_per_1000": 0.035, "child_low_income_pct": 0.03,
        "chronic_illness_pct": 0.025, "unemployment_pct": 0.02,
    },
    "child_psych_inpatient_per_1000": {
        "adult_psych_care_per_1000": 0.12, "substance_use_care_per_1000": 0.08, "leisure_participation_pct": -0.06,
        "social_assistance_pct": 0.05, "child_low_income_pct": 0.04, "divorces_per_1000": 0.035,
        "unemployment_pct": 0.03, "chronic_illness_pct": 0.02,
    },
}


def national_profile(anchors: dict[int, float], years: np.ndarray) -> np.ndarray:
    """Piecewise-linear interpolation of anchor points, constant beyond the ends. Shape (n_years,)."""
    xs = np.array(sorted(anchors))
    ys = np.array([anchors[x] for x in xs], dtype=float)
    return np.interp(years, xs, ys)
