"""The analysis settings: every analytic choice, read from ``analysis.yml``.

One file holds the significance level, the confidence level, the share of behaviours
an area score needs, the effect-size benchmarks and the other thresholds, so that a
researcher changes a choice in one place and every count, table header and sentence
that depends on it follows.  Stages read it through :func:`load_analysis_settings`;
nothing else in the package types these values.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lehc_report.errors import InputError

SETTINGS_FILE = "analysis.yml"


class EffectBenchmarks(BaseModel):
    """Lower bounds of |d| for Cohen's (1988) labels."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    large: float = Field(0.8, gt=0)
    medium: float = Field(0.5, gt=0)
    small: float = Field(0.2, gt=0)

    def labelled(self) -> tuple[tuple[float, str], ...]:
        """The benchmarks as (bound, label) pairs.

        Returns
        -------
        tuple of (float, str)
            ``((0.8, "large"), (0.5, "medium"), (0.2, "small"))``, largest bound first.
        """
        return tuple(sorted(((self.large, "large"), (self.medium, "medium"), (self.small, "small")), reverse=True))


class AnalysisSettings(BaseModel):
    """Every analytic choice of the report (see ``analysis.yml`` for why each is set so)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    alpha: float = Field(0.05, gt=0, lt=1)
    confidence: float = Field(0.95, gt=0, lt=1)
    min_share_answered: float = Field(0.5, gt=0, le=1)
    effect_benchmarks: EffectBenchmarks = EffectBenchmarks()
    power: float = Field(0.80, gt=0, lt=1)
    bayes_prior_scale: float = Field(0.7071067811865476, gt=0)
    reliability_threshold: float = Field(0.7, gt=0, lt=1)
    agreement_threshold: float = Field(0.4, gt=-1, lt=1)
    krippendorff_firm: float = Field(0.8, gt=0, le=1)
    krippendorff_tentative: float = Field(0.667, gt=0, le=1)
    ceiling_offset: float = Field(1, ge=0)
    analysis_coder: str = Field("A", min_length=1)
    wilcoxon_exact_max_n: int = Field(50, ge=1)
    per_participant_plot_max_n: int = Field(200, ge=1)

    def assumptions_table(self) -> pd.DataFrame:
        """The settings as the methodology chapter's table of assumptions.

        Returns
        -------
        DataFrame, one row per setting, columns ``Setting`` and ``Value`` (text).
        """
        rows = [
            ("Significance level (every test)", f"{self.alpha:g}"),
            ("Confidence level (every interval)", f"{self.confidence:.0%}"),
            ("Behaviours an area score needs answered", f"at least {self.min_share_answered:.0%}"),
            ("Effect-size labels (|d| at least)",
             ", ".join(f"{label} {bound:g}" for bound, label in self.effect_benchmarks.labelled())),
            ("Power for the smallest detectable effect", f"{self.power:.0%}"),
            ("Bayes factor prior (Cauchy scale r on d_z)", f"{self.bayes_prior_scale:.4g}"),
            ("Cronbach's alpha read as acceptable", f"{self.reliability_threshold:g} or more"),
            ("Cohen's kappa below which a code's finding is flagged", f"{self.agreement_threshold:g}"),
            ("Krippendorff's alpha for firm / tentative conclusions",
             f"{self.krippendorff_firm:g} / {self.krippendorff_tentative:g}"),
            ("A rating near the ceiling", f"scale maximum minus {self.ceiling_offset:g} or more"),
            ("Coder whose codes are tallied", self.analysis_coder),
            ("Most pairs for an exact Wilcoxon p (then the normal approximation)", f"{min(50, self.wilcoxon_exact_max_n)}"),
            ("Most participants drawn one line each (then distributions)", f"{self.per_participant_plot_max_n}"),
        ]
        return pd.DataFrame(rows, columns=["Setting", "Value"])


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> AnalysisSettings:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(path, f"is not valid YAML ({getattr(exc, 'problem', exc)})",
                         row=mark.line + 1 if mark else None) from exc
    if not isinstance(raw, dict):
        raise InputError(path, "must be a mapping of setting: value")
    try:
        return AnalysisSettings(**raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        raise InputError(path, f"{first['msg']} (allowed settings: {', '.join(AnalysisSettings.model_fields)})",
                         column=key) from exc


def load_analysis_settings(root: Path) -> AnalysisSettings:
    """Read ``analysis.yml`` in the project root ``root``.

    Parameters
    ----------
    root : Path
        The project root (the folder of ``_config.yml``).

    Returns
    -------
    AnalysisSettings
        Validated settings; a missing file gives the defaults documented in ``analysis.yml``.

    Raises
    ------
    InputError
        The file is not YAML, is not a mapping, names an unknown setting or gives a value
        out of range; the message names the file and the setting.
    """
    path = Path(root) / SETTINGS_FILE
    if not path.exists():
        return AnalysisSettings()
    return _load(path.resolve(), path.stat().st_mtime_ns)
