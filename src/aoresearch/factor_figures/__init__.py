"""PNG figures of the forecast stage's SHAP attributions (DVC stage ``factor_figures``).

Drawn from the forecast stage's files, not inside it, so that a figure can be restyled and
redrawn (``dvc repro factor_figures``: 20-24 s on the demo in ``benchmarks/pipeline.py``) without
refitting the models, and a plotting failure leaves the fitted models and tables in place.
"""

from aoresearch.factor_figures.stage import figure_jobs, read_figure_inputs, write_factor_figures

__all__ = ["figure_jobs", "read_figure_inputs", "write_factor_figures"]
