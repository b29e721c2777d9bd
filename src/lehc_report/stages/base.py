"""What every stage shares: the result a notebook shows and glues, and the readers of
the previous stage's outputs (so that no stage re-reads another stage's raw inputs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from lehc_report.inputs.cohort import framework_file
from lehc_report.inputs.folder import DataFolder
from lehc_report.inputs.framework import Framework, load_framework
from lehc_report.inputs.self_assessment import tidy_ratings_schema
from lehc_report.paths import ProjectPaths


@dataclass
class StageResult:
    """What a notebook shows (tables, figures) and glues (pre-formatted text)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    figures: dict[str, Path] = field(default_factory=dict)
    glue: dict[str, str] = field(default_factory=dict)


def framework_for(paths: ProjectPaths) -> Framework:
    """The cohort's framework (its own ``framework.yml``, else the project's).

    Parameters
    ----------
    paths : ProjectPaths

    Returns
    -------
    Framework

    Raises
    ------
    DataError
        The framework file breaks the contract (file, line and key named).
    """
    return load_framework(framework_file(paths.data, paths.root))


def survey_questions(paths: ProjectPaths) -> pd.DataFrame:
    """The survey instrument from ``survey_instrument.yml`` (the cohort's own, else the project's:
    ``inputs.folder.FALLBACK``).

    Parameters
    ----------
    paths : ProjectPaths

    Returns
    -------
    DataFrame
        One row per question, columns ``id``, ``short``, ``text``.
    """
    import yaml

    spec = yaml.safe_load(DataFolder(paths.data, paths.root).resolve("survey_instrument.yml").read_text(encoding="utf-8"))
    return pd.DataFrame(spec["questions"])


def read_tidy_ratings(paths: ProjectPaths, framework: Framework) -> pd.DataFrame:
    """The tidy ratings written by the cleaning stage, validated again on reading.

    Parameters
    ----------
    paths : ProjectPaths
    framework : Framework
        The cohort's framework (behaviours, areas, scale, waves).

    Returns
    -------
    DataFrame
        One row per participant, wave and behaviour: ``participant_id``, ``wave``,
        ``behaviour_id``, ``area_id`` (str) and ``score`` (Int64 on the framework's scale;
        NA = not answered).

    Raises
    ------
    pandera.errors.SchemaError
        The tidy table does not match the framework (a fault in the cleaning stage).
    """
    tidy = pd.read_csv(paths.tidy / "self_assessment.csv", dtype={"participant_id": str, "wave": str, "behaviour_id": str, "area_id": str, "score": "Int64"}, keep_default_na=False, na_values=[""])
    return tidy_ratings_schema(framework).validate(tidy)
