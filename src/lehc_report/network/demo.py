"""A demonstration network: seven synthetic cohorts, made deterministically.

Synthetic data, not from any real course.  The seven cohorts ran in different years
and regions; three have a follow-up wave; one (``south-2023``) has fewer participants
with both waves than the small-cell threshold, so the network report must leave it out
and say so; one (``west-2022``) used anonymous questionnaires (``linking: {by: none}``),
so it has Hedges' g between independent samples and is not pooled.  Ratings are drawn with numpy's ``default_rng(SEED)`` from a simple model: a
participant's start rating per behaviour is their own level plus noise; the end rating
adds the cohort's true change (which varies between cohorts, so the pooling has some
heterogeneity to find); the follow-up keeps most of the gain.

    python -m lehc_report.network.demo OUT_DIR   # writes OUT_DIR/network.yml and OUT_DIR/<id>/
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from lehc_report.inputs.framework import load_framework
from lehc_report.render.outputs import write_result_csv

SEED = 20260616


@dataclass(frozen=True)
class DemoCohort:
    """One synthetic cohort's design: who, when, where, and the true change to simulate."""

    id: str
    label: str
    year: int
    region: str
    participants: int
    true_change: float  # mean rise in rating points from start to end
    follow_up: bool
    linked: bool = True  # False: anonymous questionnaires, 'linking: {by: none}' in cohort.yml


DEMO_COHORTS = (
    DemoCohort("north-2019", "First northern course", 2019, "North", 24, 0.9, False),
    DemoCohort("south-2020", "Southern course, spring", 2020, "South", 30, 1.3, True),
    DemoCohort("north-2021", "Northern course, autumn", 2021, "North", 18, 0.6, True),
    DemoCohort("east-2022", "Eastern pilot", 2022, "East", 26, 1.1, False),
    DemoCohort("west-2022", "Western course, anonymous questionnaires", 2022, "West", 21, 1.0, False, linked=False),
    DemoCohort("south-2023", "Southern short course", 2023, "South", 4, 1.0, False),
    DemoCohort("east-2024", "Eastern course, second run", 2024, "East", 22, 0.8, True),
)


def cohort_ratings(design: DemoCohort, behaviour_ids: list[str], rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """One export table per wave (``participant_id`` then one column per behaviour).

    Parameters
    ----------
    design : DemoCohort
    behaviour_ids : list of str
        The framework's behaviours, in order.
    rng : numpy.random.Generator

    Returns
    -------
    dict
        Wave id -> DataFrame of whole-number ratings 1..10; without ``participant_id``
        (and with three fewer rows after the start, in another order) when the cohort's
        waves are unlinked.
    """
    n, k = design.participants, len(behaviour_ids)
    level = rng.normal(5.8, 1.0, size=(n, 1))
    start = level + rng.normal(0, 1.0, size=(n, k))
    person_gain = design.true_change + rng.normal(0, 0.8, size=(n, 1))
    end = start + person_gain + rng.normal(0, 0.9, size=(n, k))
    waves = {"start": start, "end": end}
    if design.follow_up:
        waves["follow_up"] = end - 0.3 * person_gain + rng.normal(0, 0.9, size=(n, k))
    ids = [f"{design.id[0].upper()}{design.year % 100:02d}-{i:02d}" for i in range(1, n + 1)]
    tables = {}
    for wave, values in waves.items():
        table = pd.DataFrame(np.clip(np.rint(values), 1, 10).astype(int), columns=behaviour_ids)
        if design.linked:
            table.insert(0, "participant_id", ids)
        elif wave != "start":
            # Unlinked: a few people did not return the later questionnaire, and nothing says who.
            table = table.iloc[rng.permutation(n)[: n - 3]].reset_index(drop=True)
        tables[wave] = table
    return tables


def write_demo(out: Path, root: Path) -> Path:
    """Write the demonstration cohorts and their network file.

    Parameters
    ----------
    out : Path
        Folder to write into (``<out>/<id>/`` per cohort and ``<out>/network.yml``).
    root : Path
        The project, for ``data/framework.yml``.

    Returns
    -------
    Path
        The network file.
    """
    framework = load_framework(Path(root) / "data" / "framework.yml")
    rng = np.random.default_rng(SEED)
    out = Path(out)
    entries = []
    for design in DEMO_COHORTS:
        folder = out / design.id
        folder.mkdir(parents=True, exist_ok=True)
        for wave, table in cohort_ratings(design, framework.behaviour_ids, rng).items():
            write_result_csv(table, folder / f"self_assessment_{wave}.csv")
        (folder / "cohort.yml").write_text(
            "# Synthetic demonstration cohort made by lehc_report.network.demo; not a real course.\n"
            + yaml.safe_dump({"programme": f"Leadership for Empowered and Healthy Communities ({design.label}, synthetic)",
                              "client": "Demonstration network (synthetic data)", "report_date": str(design.year),
                              **({} if design.linked else {"linking": {"by": "none"}})},
                             sort_keys=False, allow_unicode=True), encoding="utf-8")
        entries.append({"id": design.id, "label": design.label, "year": design.year, "region": design.region, "data": design.id})
    network = out / "network.yml"
    network.write_text("# Demonstration network of synthetic cohorts (lehc_report.network.demo); not real courses.\n"
                       + yaml.safe_dump({"title": "The programme across cohorts (synthetic demonstration)", "cohorts": entries},
                                        sort_keys=False, allow_unicode=True), encoding="utf-8")
    return network


def write_scale_network(out: Path, root: Path, cohorts: int = 200, participants: int = 30, seed: int = 7) -> Path:
    """A large synthetic network for the scale benchmark (issue 16: 200 cohorts of 30).

    Parameters
    ----------
    out : Path
        Folder to write ``network.yml`` and one folder per cohort into.
    root : Path
        The project, for ``data/framework.yml``.
    cohorts, participants : int
        How many cohorts, and participants in each (start, end; every fourth cohort a follow-up).
    seed : int
        Seed of numpy's ``default_rng``.

    Returns
    -------
    Path
        The network file.
    """
    framework = load_framework(Path(root) / "data" / "framework.yml")
    rng = np.random.default_rng(seed)
    regions = ("North", "South", "East", "West")
    entries = []
    for i in range(cohorts):
        design = DemoCohort(f"c{i:04d}", f"Cohort {i}", 2013 + i % 12, regions[i % 4], participants,
                            float(rng.normal(1.0, 0.25)), i % 4 == 0)
        folder = Path(out) / design.id
        folder.mkdir(parents=True, exist_ok=True)
        for wave, table in cohort_ratings(design, framework.behaviour_ids, rng).items():
            write_result_csv(table, folder / f"self_assessment_{wave}.csv")
        entries.append({"id": design.id, "label": design.label, "year": design.year, "region": design.region, "data": design.id})
    network = Path(out) / "network.yml"
    network.write_text(yaml.safe_dump({"title": "Scale benchmark (synthetic)", "cohorts": entries}, sort_keys=False), encoding="utf-8")
    return network


if __name__ == "__main__":
    from lehc_report.paths import project_root

    print(write_demo(Path(sys.argv[1]), project_root()))
