"""A demonstration network: seven synthetic cohorts, made deterministically.

Synthetic data, not from any real course.  The seven cohorts ran in different years
and regions; three have a follow-up wave; one (``south-2023``) has fewer participants
with both waves than the small-cell threshold, so the network report must leave it out
and say so; one (``west-2022``) used anonymous questionnaires (``linking: {by: none}``),
so it has Hedges' g between independent samples and is not pooled.  Ratings are drawn
with numpy's ``default_rng(SEED)`` from a simple model: a participant's start rating per
behaviour is their own level plus noise; the end rating adds the cohort's true change
(which varies between cohorts, so the pooling has some heterogeneity to find); the
follow-up keeps most of the gain.

Four cohorts also have coded survey returns (:func:`cohort_qualitative`): three coded
with the project's codebook (``data/codebook.yml``), so the report sets their theme
shares side by side, and one (``north-2021``) with a codebook of its own (one theme
renamed), which is not compared.  Their answers are the codebook's own definitions of
the codes applied, drawn with a generator of their own (``default_rng([SEED, i])``), so
the ratings above do not change.

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
    survey_returns: int = 0  # coded survey returns (0: no qualitative data)
    own_codebook: bool = False  # coded with a codebook of its own (not the project's)


DEMO_COHORTS = (
    DemoCohort("north-2019", "First northern course", 2019, "North", 24, 0.9, False, survey_returns=20),
    DemoCohort("south-2020", "Southern course, spring", 2020, "South", 30, 1.3, True, survey_returns=26),
    DemoCohort("north-2021", "Northern course, autumn", 2021, "North", 18, 0.6, True, survey_returns=14, own_codebook=True),
    DemoCohort("east-2022", "Eastern pilot", 2022, "East", 26, 1.1, False),
    DemoCohort("west-2022", "Western course, anonymous questionnaires", 2022, "West", 21, 1.0, False, linked=False),
    DemoCohort("south-2023", "Southern short course", 2023, "South", 4, 1.0, False),
    DemoCohort("east-2024", "Eastern course, second run", 2024, "East", 22, 0.8, True, survey_returns=18),
)
#: Role labels of the synthetic respondents (each shared by several, as data/README.md requires).
ROLE_LABELS = ("commissioner, local authority", "provider, voluntary sector", "manager, NHS trust",
               "public health, local authority")
SURVEY_QUESTIONS = ("q01", "q02", "q03a", "q03b", "q03c", "q04", "q05", "q06", "q07", "q08", "q09", "q10", "q11", "q12")


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


def cohort_qualitative(design: DemoCohort, codebook: dict, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Coded survey returns for one cohort: the register, the answers and coder A's codings.

    Each respondent raises each theme with a probability drawn per theme (shared by the
    network, so the shares are comparable) and moved a little per cohort; a raised
    theme gets one of its codes, in the answer to a random question, whose text is the
    code's definition (synthetic, no real words).

    Parameters
    ----------
    design : DemoCohort
        ``survey_returns`` respondents (``S01``...).
    codebook : dict
        ``codebook.yml`` as read by ``yaml.safe_load`` (``themes``, each with ``codes``).
    rng : numpy.random.Generator

    Returns
    -------
    dict
        ``respondents``, ``survey_returns`` and ``codings`` tables, laid out as
        data/README.md specifies (survey only; no double coding).
    """
    themes = codebook["themes"]
    # Probabilities per theme: the same base for every cohort (seeded by the theme's position), shifted per cohort.
    base = np.random.default_rng(SEED).uniform(0.3, 0.75, size=len(themes))
    chance = np.clip(base + rng.normal(0, 0.08, size=len(themes)), 0.05, 0.95)
    ids = [f"S{i:02d}" for i in range(1, design.survey_returns + 1)]
    uses_services = max(2, design.survey_returns // 7)
    respondents = pd.DataFrame({
        "respondent_id": ids, "source": "survey",
        "group": ["uses_services" if i < uses_services else "professional" for i in range(len(ids))],
        "gender": rng.choice(["female", "male"], size=len(ids), p=[0.65, 0.35]),
        "role_label": ["person who uses services" if i < uses_services else ROLE_LABELS[i % len(ROLE_LABELS)]
                       for i in range(len(ids))],
        "consent_to_quote": rng.choice(["yes", "no"], size=len(ids), p=[0.8, 0.2]),
        "self_assessment_id": "",
    })
    answers = {rid: {q: [] for q in SURVEY_QUESTIONS} for rid in ids}
    codings = []
    for rid in ids:
        for theme, p in zip(themes, chance):
            if rng.random() < p:
                code = theme["codes"][int(rng.integers(len(theme["codes"])))]
                question = SURVEY_QUESTIONS[int(rng.integers(len(SURVEY_QUESTIONS)))]
                if code["definition"] not in answers[rid][question]:
                    answers[rid][question].append(code["definition"])
                codings.append((f"{rid}-{question}", "A", code["id"], ""))
    survey = pd.DataFrame([{"respondent_id": rid, **{q: " ".join(texts) for q, texts in answers[rid].items()}} for rid in ids])
    codings = pd.DataFrame(codings, columns=["segment_id", "coder", "code_id", "exemplar"]).drop_duplicates(
        subset=["segment_id", "coder", "code_id"])
    return {"respondents": respondents, "survey_returns": survey, "codings": codings}


def own_codebook(codebook: dict) -> dict:
    """A codebook of a cohort's own: the project's with its first theme renamed.

    Parameters
    ----------
    codebook : dict
        The project's ``codebook.yml`` as read.

    Returns
    -------
    dict
        A copy whose first theme has another name (so its identity differs).
    """
    import copy

    changed = copy.deepcopy(codebook)
    changed["themes"][0]["name"] = f"{changed['themes'][0]['name']} (local version)"
    return changed


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
    codebook_text = (Path(root) / "data" / "codebook.yml").read_text(encoding="utf-8")
    codebook = yaml.safe_load(codebook_text)
    rng = np.random.default_rng(SEED)
    out = Path(out)
    entries = []
    for number, design in enumerate(DEMO_COHORTS):
        folder = out / design.id
        folder.mkdir(parents=True, exist_ok=True)
        for wave, table in cohort_ratings(design, framework.behaviour_ids, rng).items():
            write_result_csv(table, folder / f"self_assessment_{wave}.csv")
        if design.survey_returns:
            # The project's codebook file as it is (its identity is by content), or a changed copy.
            (folder / "codebook.yml").write_text(
                yaml.safe_dump(own_codebook(codebook), sort_keys=False, allow_unicode=True, width=1000)
                if design.own_codebook else codebook_text, encoding="utf-8")
            for name, table in cohort_qualitative(design, codebook, np.random.default_rng([SEED, number])).items():
                write_result_csv(table, folder / f"{name}.csv")
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
