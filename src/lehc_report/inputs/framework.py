"""The leadership framework (areas, behaviours, waves), read from ``framework.yml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml


@dataclass(frozen=True)
class Framework:
    areas: pd.DataFrame  # area_id, area_name, tagline, n_behaviours (framework order)
    behaviours: pd.DataFrame  # behaviour_id, area_id, label, position (framework order)
    waves: pd.DataFrame  # wave, wave_label, wave_order
    scale_min: int
    scale_max: int

    @property
    def behaviour_ids(self) -> list[str]:
        return self.behaviours["behaviour_id"].tolist()

    @property
    def area_ids(self) -> list[str]:
        return self.areas["area_id"].tolist()

    @property
    def wave_ids(self) -> list[str]:
        return self.waves["wave"].tolist()

    def area_names(self) -> dict[str, str]:
        return dict(zip(self.areas["area_id"], self.areas["area_name"]))

    def items_by_area(self) -> dict[str, list[str]]:
        return {a: g["behaviour_id"].tolist() for a, g in self.behaviours.groupby("area_id", sort=False)}

    def header_lookup(self) -> dict[str, str]:
        """Normalised header text -> behaviour ID: accepts the ID or the label."""
        lookup = {}
        for row in self.behaviours.itertuples():
            lookup[normalise_header(row.behaviour_id)] = row.behaviour_id
            lookup[normalise_header(row.label)] = row.behaviour_id
            lookup[normalise_header(f"{row.behaviour_id} {row.label}")] = row.behaviour_id
        return lookup


def normalise_header(text: str) -> str:
    """Lower case, punctuation to spaces, single spaces: how headers are matched."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", str(text).lower()).split())


def load_framework(path: Path) -> Framework:
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
        from lehc_report.errors import DataError

        repeated = sorted(set(duplicated))[0]
        # The line of its second mention: where the evaluator will look first.
        mentions = [n for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1)
                    if re.search(r"\bid:\s*['\"]?" + re.escape(str(repeated)) + r"['\"]?\s*[,}]?\s*(#|$|label)", line)]
        raise DataError(path, f"behaviour ID {repeated!r} is used twice; give each behaviour its own ID",
                        row=mentions[1] if len(mentions) > 1 else None, column="id")
    waves = pd.DataFrame(
        [{"wave": w["id"], "wave_label": w["label"]} for w in spec["waves"]]
    )
    waves["wave_order"] = range(len(waves))
    scale = spec.get("scale", {"min": 1, "max": 10})
    return Framework(
        areas=pd.DataFrame(areas),
        behaviours=behaviours_df,
        waves=waves,
        scale_min=int(scale["min"]),
        scale_max=int(scale["max"]),
    )
