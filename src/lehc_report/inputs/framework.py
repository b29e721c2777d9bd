"""The leadership framework (areas, behaviours, waves), read from ``framework.yml``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from lehc_report.errors import DataError


@dataclass(frozen=True)
class Framework:
    areas: pd.DataFrame  # area_id, area_name, tagline, n_behaviours (framework order)
    behaviours: pd.DataFrame  # behaviour_id, area_id, label, position (framework order)
    waves: pd.DataFrame  # wave, wave_label, wave_order
    scale_min: int
    scale_max: int
    #: The scale's answers in words (``scale: labels:`` in framework.yml), score -> label.
    scale_labels: dict[int, str] = field(default_factory=dict)

    @property
    def behaviour_ids(self) -> list[str]:
        """Behaviour IDs in framework order."""
        return self.behaviours["behaviour_id"].tolist()

    @property
    def area_ids(self) -> list[str]:
        """Area IDs in framework order."""
        return self.areas["area_id"].tolist()

    @property
    def wave_ids(self) -> list[str]:
        """Wave IDs in time order."""
        return self.waves["wave"].tolist()

    def area_names(self) -> dict[str, str]:
        """The areas' names by ID.

        Returns
        -------
        dict
            Area ID to area name, in framework order.
        """
        return dict(zip(self.areas["area_id"], self.areas["area_name"]))

    def items_by_area(self) -> dict[str, list[str]]:
        """The behaviours of each area.

        Returns
        -------
        dict
            Area ID to its behaviour IDs, in framework order.
        """
        return {a: g["behaviour_id"].tolist() for a, g in self.behaviours.groupby("area_id", sort=False)}

    def header_lookup(self) -> dict[str, str]:
        """How an export's column headers are matched to behaviours.

        Returns
        -------
        dict
            Normalised header text (:func:`normalise_header`) to behaviour ID; the ID, the
            label and "ID label" are all accepted.
        """
        lookup = {}
        for row in self.behaviours.itertuples():
            lookup[normalise_header(row.behaviour_id)] = row.behaviour_id
            lookup[normalise_header(row.label)] = row.behaviour_id
            lookup[normalise_header(f"{row.behaviour_id} {row.label}")] = row.behaviour_id
        return lookup

    def answer_lookup(self) -> dict[str, int]:
        """Normalised answer text -> score, from the scale's labels.

        Returns
        -------
        dict[str, int]
            Each label (``"Strongly agree"``) and each anchored answer (``"10 - Completely"``,
            ``"10 Completely"``), normalised with :func:`normalise_header`, to its score.
            Empty when framework.yml gives no labels.
        """
        lookup = {}
        for score, label in self.scale_labels.items():
            lookup[normalise_header(label)] = score
            lookup[normalise_header(f"{score} {label}")] = score
        return lookup

    def allowed_answers(self) -> str:
        """The scale's labels as an error message lists them.

        Returns
        -------
        str
            ``1 = 'Strongly disagree', ..., 5 = 'Strongly agree'``.
        """
        return ", ".join(f"{score} = {label!r}" for score, label in sorted(self.scale_labels.items()))


def normalise_header(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces: how headers are matched.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        E.g. ``"Duration (in seconds)"`` -> ``"duration in seconds"``.
    """
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text).lower()).split())


def load_framework(path: Path) -> Framework:
    """Read ``framework.yml``: areas, behaviours, waves and the scale (with its labels).

    Parameters
    ----------
    path : Path

    Returns
    -------
    Framework

    Raises
    ------
    ValueError
        Repeated behaviour IDs.
    DataError
        Bad ``scale: labels`` (see :func:`scale_labels`).
    """
    spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    areas, behaviours = [], []
    for area in spec["areas"]:
        areas.append(
            {
                "area_id": area["id"],
                "area_name": area["name"],
                "tagline": area.get("tagline", ""),
                "n_behaviours": len(area["behaviours"]),
            }
        )
        for item in area["behaviours"]:
            behaviours.append(
                {"behaviour_id": item["id"], "area_id": area["id"], "label": item["label"]}
            )
    behaviours_df = pd.DataFrame(behaviours)
    behaviours_df["position"] = range(1, len(behaviours_df) + 1)
    duplicated = behaviours_df["behaviour_id"][behaviours_df["behaviour_id"].duplicated()]
    if len(duplicated):
        raise ValueError(f"{path}: behaviour IDs must be unique; repeated: {sorted(set(duplicated))}")
    waves = pd.DataFrame(
        [{"wave": w["id"], "wave_label": w["label"]} for w in spec["waves"]]
    )
    waves["wave_order"] = range(len(waves))
    scale = spec.get("scale", {"min": 1, "max": 10})
    labels = scale_labels(path, scale)
    return Framework(
        areas=pd.DataFrame(areas),
        behaviours=behaviours_df,
        waves=waves,
        scale_min=int(scale["min"]),
        scale_max=int(scale["max"]),
        scale_labels=labels,
    )


def scale_labels(path: Path, scale: dict) -> dict[int, str]:
    """Check and return the scale's answers in words (``scale: labels:`` in framework.yml).

    Parameters
    ----------
    path : Path
        The framework file (for messages).
    scale : dict
        Its ``scale`` mapping: ``min``, ``max`` and optionally ``labels``, a mapping of
        score to label (every score, e.g. 1 = "Strongly disagree" to 5 = "Strongly
        agree", or only the anchors, e.g. 1 = "Not at all", 10 = "Completely").

    Returns
    -------
    dict[int, str]
        Score -> label, in score order; empty without ``labels``.

    Raises
    ------
    DataError
        A score that is not a whole number on the scale, a blank label, or one label
        given to two scores.
    """
    raw = scale.get("labels") or {}
    if not isinstance(raw, dict):
        raise DataError(path, f"'scale: labels' is {raw!r}; write one 'score: label' line per answer, e.g. '1: Strongly disagree'", column="scale.labels")
    labels: dict[int, str] = {}
    seen: dict[str, int] = {}
    for key, label in raw.items():
        score = int(key) if isinstance(key, str) and key.strip().isdigit() else key
        if isinstance(score, bool) or not isinstance(score, int) or not int(scale["min"]) <= score <= int(scale["max"]):
            raise DataError(path, f"scale label key {key!r} is not a score from {scale['min']} to {scale['max']}; key each label by its score", column="scale.labels")
        if not isinstance(label, str) or not label.strip():
            raise DataError(path, f"the label of score {score} is {label!r}; give the answer's words", column="scale.labels")
        key_text = normalise_header(label)
        if key_text in seen:
            raise DataError(path, f"label {label!r} is given to scores {seen[key_text]} and {score}; each answer needs its own label", column="scale.labels")
        seen[key_text], labels[score] = score, label.strip()
    return dict(sorted(labels.items()))
