"""`make bench`: how long builds take, and how the analysis scales.

Part 1 times, in one run on this machine (median of several runs each): a cold
`make book` (virtual env present, no cache, no _build), a no-change `make book`, a
`make book` after a prose-only edit, one after an edit to one notebook (02_quant: it
re-runs and every page is re-read), each beside the baseline, a bare Jupyter Book build
of a one-page book without notebooks, run just before it; then each as a ratio to the
baseline (median of the pairs' ratios), against the targets (issue 10: cold <= 4, notebook edit <= 3, no-change <= 0.5, prose edit <= 2).

Part 2 times the vectorised self-assessment and tally functions on 1,000 cohorts
of 30 participants (about 2.3 million ratings) and reports rows per second and
peak memory (target: seconds, under 2 GB).

Part 3 (issue 14) builds the whole report, ``make book DATA=...``, for a synthetic
cohort of 10,000 participants x 3 waves x 38 behaviours, beside the same bare one-page
Jupyter Book build, and reports the ratio (target: at most 12), ratings per second and
the peak memory summed over the build's processes (target: under 2 GB).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from lehc_report.inputs.framework import load_framework
from lehc_report.paths import project_root

TARGETS = {"cold": 4.0, "notebook edit": 3.0, "no-change": 0.5, "prose edit": 2.0}
#: Issue 14: a 10,000-participant build in at most 12x the bare build, under 2 GB summed.
LARGE_TARGET, LARGE_MEMORY_MB = 12.0, 2048


def timed(command: list[str], cwd: Path, env: dict | None = None) -> float:
    """Wall time of one command.

    Parameters
    ----------
    command : list of str
    cwd : Path
        Where to run it.
    env : dict, optional
        Its environment (default: this process's).

    Returns
    -------
    float
        Seconds (``time.perf_counter``).

    Raises
    ------
    SystemExit
        The command failed (the end of its output is shown).
    """
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"bench: {' '.join(command)} failed in {cwd}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def baseline_book(folder: Path) -> Path:
    """Write the baseline: a bare one-page Jupyter Book without notebooks.

    Parameters
    ----------
    folder : Path
        Created if needed.

    Returns
    -------
    Path
        ``folder``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_config.yml").write_text("title: Baseline\nexecute:\n  execute_notebooks: 'off'\n", encoding="utf-8")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\n", encoding="utf-8")
    (folder / "index.md").write_text("# Baseline\n\nOne page, no notebooks.\n", encoding="utf-8")
    return folder


def copy_project(root: Path, target: Path) -> Path:
    """Copy the project's tracked and untracked, not ignored, files (no build folder, no .venv).

    Parameters
    ----------
    root : Path
        The project.
    target : Path
        Where to copy it; file dates are kept.

    Returns
    -------
    Path
        ``target``.
    """
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=root, capture_output=True, text=True, check=True).stdout.splitlines()
    for name in files:
        if (root / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target / name)
    return target


def build_times(root: Path, repeats: int = 3) -> pd.DataFrame:
    """Median wall times of the builds of part 1, and their ratios to the baseline.

    Each timed build is paired with a baseline build run just before it, and its ratio is
    the median of the per-pair ratios: on a shared machine the load changes from minute to
    minute, and a baseline timed minutes earlier than the build it is compared with made
    the ratio follow the load, not the build.

    Parameters
    ----------
    root : Path
        The project (its ``.venv`` is used; the builds run in a copy).
    repeats : int
        Runs of each kind (no-change gets two more).

    Returns
    -------
    DataFrame
        One row per build kind: ``build``, ``median_s`` (seconds), ``ratio`` (median of
        the ratios to the baseline run beside each build), ``target``, ``ok``
        (``yes``/``NO``, blank for the baseline), ``ratio_lean`` and ``each_run`` (every
        run as ``build seconds/baseline seconds``).

    Notes
    -----
    The targets are against the baseline as users run it, ``jupyter-book build``.  Our
    builds skip an import that costs every Jupyter Book process 1.6 s
    (:mod:`lehc_report.optional_imports`); so that this gain is not mistaken for less work,
    a *lean* baseline, the same one-page build through :mod:`lehc_report.tools.jupyter_book`,
    runs beside each build too, and ``ratio_lean`` is the ratio to it (row ``baseline,
    lean``; no target).
    """
    venv = root / ".venv"
    jb = str(venv / "bin" / "jupyter-book")
    env = dict(os.environ, PYTHONPATH="")
    times: dict[str, list[tuple[float, float]]] = {}  # kind -> (seconds, baseline seconds beside it)
    lean_times: dict[str, list[float]] = {}  # kind -> lean baseline seconds beside each run
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = baseline_book(tmp / "baseline")
        lean = [str(venv / "bin" / "python"), "-m", "lehc_report.tools.jupyter_book"]

        def baseline(command: list[str] = [jb]) -> float:
            shutil.rmtree(base / "_build", ignore_errors=True)
            return timed([*command, "build", str(base), "-q"], tmp, env)

        repo = copy_project(root, tmp / "repo")
        make_env = dict(env, PYTHONPATH=str(repo / "src"))
        make = ["make", "book", f"VENV={venv}"]

        def measure(kind: str, prepare=None) -> None:
            lean_times.setdefault(kind, []).append(baseline(lean))
            beside = baseline()
            if prepare is not None:
                prepare()
            times.setdefault(kind, []).append((timed(make, repo, make_env), beside))

        for _ in range(repeats):
            measure("cold", lambda: shutil.rmtree(repo / "_build", ignore_errors=True))
        for _ in range(repeats + 2):
            measure("no-change")
        aims = repo / "book" / "aims.md"
        notebook = repo / "notebooks" / "02_quant.md"
        for i in range(repeats):
            measure("prose edit", lambda i=i: aims.write_text(aims.read_text(encoding="utf-8") + f"\nBenchmark edit {i}.\n",
                                                              encoding="utf-8"))
        for i in range(repeats):
            measure("notebook edit", lambda i=i: notebook.write_text(
                notebook.read_text(encoding="utf-8") + f"\nBenchmark edit {i}.\n", encoding="utf-8"))
    baselines = [beside for pairs in times.values() for _, beside in pairs]
    leans = [seconds for runs in lean_times.values() for seconds in runs]
    rows = [{"build": "baseline", "median_s": round(statistics.median(baselines), 2), "ratio": 1.0, "target": "",
             "ok": "", "ratio_lean": round(statistics.median(baselines) / statistics.median(leans), 2), "each_run": ""},
            {"build": "baseline, lean", "median_s": round(statistics.median(leans), 2),
             "ratio": round(statistics.median(leans) / statistics.median(baselines), 2), "target": "", "ok": "",
             "ratio_lean": 1.0, "each_run": ""}]
    for name in ("cold", "notebook edit", "no-change", "prose edit"):
        pairs = times[name]
        ratio = statistics.median(seconds / beside for seconds, beside in pairs)
        ratio_lean = statistics.median(seconds / beside for (seconds, _), beside in zip(pairs, lean_times[name]))
        target = TARGETS[name]
        rows.append({"build": name, "median_s": round(statistics.median(s for s, _ in pairs), 2),
                     "ratio": round(ratio, 2), "target": f"<= {target}", "ok": "yes" if ratio <= target else "NO",
                     "ratio_lean": round(ratio_lean, 2),
                     "each_run": " ".join(f"{seconds:.1f}/{beside:.1f}" for seconds, beside in pairs)})
    return pd.DataFrame(rows)


def synthetic_cohorts(root: Path, cohorts: int = 1000, participants: int = 30, seed: int = 7) -> pd.DataFrame:
    """Tidy ratings for many cohorts (random but reproducible), with a ``cohort`` column.

    Parameters
    ----------
    root : Path
        The project (its ``data/framework.yml`` gives the behaviours).
    cohorts, participants : int
        How many of each.
    seed : int
        For ``numpy.random.default_rng``.

    Returns
    -------
    (DataFrame, Framework)
        Ratings, one row per cohort, participant, wave (start, end) and behaviour:
        ``cohort``, ``participant_id``, ``wave``, ``behaviour_id``, ``score`` (1..10),
        ``area_id``; and the framework.
    """
    framework = load_framework(root / "data" / "framework.yml")
    rng = np.random.default_rng(seed)
    behaviours = framework.behaviours
    n_b = len(behaviours)
    start = rng.integers(3, 9, size=(cohorts, participants, n_b))
    end = np.clip(start + rng.integers(-1, 3, size=start.shape), 1, 10)
    scores = np.stack([start, end], axis=2)  # cohorts, participants, waves, behaviours
    index = pd.MultiIndex.from_product(
        [[f"c{c:04d}" for c in range(cohorts)], [f"P{p:02d}" for p in range(participants)], ["start", "end"], behaviours["behaviour_id"]],
        names=["cohort", "participant_id", "wave", "behaviour_id"],
    )
    tidy = pd.DataFrame({"score": scores.reshape(-1)}, index=index).reset_index()
    tidy["area_id"] = np.tile(behaviours["area_id"].to_numpy(), cohorts * participants * 2)
    return tidy, framework


def scale_bench(root: Path) -> pd.DataFrame:
    """Part 2: time and peak memory of the vectorised functions on large inputs.

    Parameters
    ----------
    root : Path
        The project (its shipped data are replicated 1,000 times for the tally).

    Returns
    -------
    DataFrame
        One row per task: ``task``, ``rows``, ``seconds``, ``rows_per_second``,
        ``peak_MB`` (``tracemalloc``) and ``results``.
    """
    from lehc_report.inputs import qualitative
    from lehc_report.stats.tally import theme_tally
    from lehc_report.stats import paired

    tidy, framework = synthetic_cohorts(root)
    rows = []
    tracemalloc.start()
    t0 = time.perf_counter()
    tests = paired.cohort_area_tests(tidy, framework)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows.append({"task": "self-assessment: area scores + paired t-tests", "rows": len(tidy), "seconds": round(elapsed, 2),
                 "rows_per_second": f"{len(tidy) / elapsed:,.0f}", "peak_MB": round(peak / 2**20), "results": len(tests)})

    data = qualitative.load_qualitative(root / "data")
    copies = 1000
    respondents = pd.concat([data.respondents.assign(respondent_id=lambda d, i=i: f"k{i:04d}-" + d["respondent_id"]) for i in range(copies)], ignore_index=True)
    segments = pd.concat([data.segments.assign(respondent_id=lambda d, i=i: f"k{i:04d}-" + d["respondent_id"],
                                                segment_id=lambda d, i=i: f"k{i:04d}-" + d["segment_id"]) for i in range(copies)], ignore_index=True)
    codings = pd.concat([data.codings.assign(segment_id=lambda d, i=i: f"k{i:04d}-" + d["segment_id"]) for i in range(copies)], ignore_index=True)
    big = qualitative.QualitativeData(codebook=data.codebook, respondents=respondents, segments=segments, codings=codings,
                                      double_coded=data.double_coded)
    tracemalloc.start()
    t0 = time.perf_counter()
    tally = theme_tally(big)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows.append({"task": "qualitative: theme tally", "rows": len(codings), "seconds": round(elapsed, 2),
                 "rows_per_second": f"{len(codings) / elapsed:,.0f}", "peak_MB": round(peak / 2**20), "results": len(tally)})
    rows.append(network_bench(root))
    return pd.DataFrame(rows)


def network_bench(root: Path, cohorts: int = 200, participants: int = 30) -> dict:
    """Time the network's per-cohort stage and pooling (`make network-results`) on a synthetic network.

    Parameters
    ----------
    root : Path
        The project.
    cohorts, participants : int
        Size of the synthetic network (issue 16's target: 200 x 30 within 5 minutes).

    Returns
    -------
    dict
        One row of the scale table: task, rows (cohort-effect rows), seconds, rows per
        second, peak_MB (None: the work runs in two worker processes), results (pooled rows).
    """
    from lehc_report.network.compute import compute_network
    from lehc_report.network.config import load_network
    from lehc_report.network.demo import write_scale_network

    with tempfile.TemporaryDirectory() as tmp:
        network = load_network(write_scale_network(Path(tmp) / "cohorts", root, cohorts, participants))
        t0 = time.perf_counter()
        results = compute_network(network, root, Path(tmp) / "build", jobs=2)
        elapsed = time.perf_counter() - t0
    return {"task": f"network: {cohorts} cohorts x {participants}, read + effects + pooled (2 processes)",
            "rows": len(results.cohort_effects), "seconds": round(elapsed, 2),
            "rows_per_second": f"{len(results.cohort_effects) / elapsed:,.0f}", "peak_MB": None, "results": len(results.pooled)}


def large_cohort_data(folder: Path, root: Path, participants: int = 10_000, seed: int = 1) -> int:
    """Write a synthetic three-wave cohort (a one-point rise at the end, kept at follow-up).

    Parameters
    ----------
    folder : Path
        The data folder to write (``self_assessment_{start,end,follow_up}.csv`` and
        ``participants.csv``, as in ``../shared/cases/scale_2000x3``).
    root : Path
        The project, for ``data/framework.yml``.
    participants : int
    seed : int
        Seed of the generator (the data are the same every run).

    Returns
    -------
    int
        Ratings written (participants x waves x behaviours).
    """
    framework = load_framework(root / "data" / "framework.yml")
    behaviours = framework.behaviour_ids
    rng = np.random.default_rng(seed)
    ids = [f"P{i:05d}" for i in range(1, participants + 1)]
    folder.mkdir(parents=True, exist_ok=True)
    for wave, shift in (("start", 0), ("end", 1), ("follow_up", 1)):
        low, high = framework.scale_min + 2, framework.scale_max - 2
        scores = np.clip(rng.integers(low, high + 1, (participants, len(behaviours))) + shift, framework.scale_min, framework.scale_max)
        table = pd.DataFrame(scores, columns=behaviours)
        table.insert(0, "participant_id", ids)
        table.to_csv(folder / f"self_assessment_{wave}.csv", index=False)
    pd.DataFrame({"participant_id": ids, "gender": ["female" if i % 2 else "male" for i in range(1, participants + 1)]}).to_csv(
        folder / "participants.csv", index=False)
    return participants * 3 * len(behaviours)


def run_with_peak_memory(command: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """Wall time of a command and the peak of the resident memory summed over it and its children.

    Memory is sampled every 0.1 s with psutil; summing RSS counts shared pages once per
    process, so the figure errs high.

    Parameters
    ----------
    command : list of str
    cwd : Path
    env : dict

    Returns
    -------
    tuple of float
        Seconds and peak MB (2**20 bytes).

    Raises
    ------
    SystemExit
        The command failed (the end of its output is shown).
    """
    import psutil

    with tempfile.TemporaryFile("w+") as output:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
        parent, peak = psutil.Process(process.pid), 0
        while process.poll() is None:
            total = 0
            try:
                for member in [parent, *parent.children(recursive=True)]:
                    try:
                        total += member.memory_info().rss
                    except psutil.Error:  # ended between listing and reading
                        pass
            except psutil.Error:
                pass
            peak = max(peak, total)
            time.sleep(0.1)
        elapsed = time.perf_counter() - start
        if process.returncode != 0:
            output.seek(0)
            raise SystemExit(f"bench: {' '.join(command)} failed in {cwd}:\n{output.read()[-3000:]}")
    return elapsed, peak / 2**20


def large_cohort_build(root: Path, participants: int = 10_000, repeats: int = 3) -> pd.DataFrame:
    """Part 3: ``make book`` for a 10,000-participant cohort beside the bare one-page build.

    The two builds alternate (bare, large, bare, large, ...), each large build cold in a
    new build folder, so that a machine whose load changes during the run slows both
    alike; the ratio is of the medians.

    Parameters
    ----------
    root : Path
        The project (its ``.venv``; the builds go to a temporary folder).
    participants : int
    repeats : int
        Runs of each build (``--repeats N`` on the command line).

    Returns
    -------
    DataFrame
        Rows ``baseline`` and the large build: ``build``, ``runs``, ``seconds`` (median),
        ``range_s`` (fastest to slowest run), ``ratio`` (of the medians),
        ``ratings_per_second``, ``peak_MB`` (the largest over the runs, resident memory
        summed over the build's processes), ``target`` and ``ok``.
    """
    venv = root / ".venv"
    env = dict(os.environ, PYTHONPATH="")
    baseline, large, peaks = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = baseline_book(tmp / "baseline")
        ratings = large_cohort_data(tmp / "data", root, participants)
        for run in range(repeats):
            shutil.rmtree(base / "_build", ignore_errors=True)
            baseline.append(timed([str(venv / "bin" / "jupyter-book"), "build", str(base), "-q"], tmp, env))
            seconds, peak = run_with_peak_memory(
                ["make", "book", f"VENV={venv}", f"DATA={tmp / 'data'}", f"BUILD={tmp / f'build{run}'}"], root, env)
            large.append(seconds)
            peaks.append(peak)
            shutil.rmtree(tmp / f"build{run}", ignore_errors=True)
    base_s, large_s, peak = statistics.median(baseline), statistics.median(large), max(peaks)
    ratio = large_s / base_s
    ok = ratio <= LARGE_TARGET and peak < LARGE_MEMORY_MB
    return pd.DataFrame([
        {"build": "baseline", "runs": repeats, "seconds": round(base_s, 2), "range_s": f"{min(baseline):.1f}-{max(baseline):.1f}",
         "ratio": 1.0, "ratings_per_second": "", "peak_MB": "", "target": "", "ok": ""},
        {"build": f"{participants:,} participants x 3 waves x 38", "runs": repeats, "seconds": round(large_s, 1),
         "range_s": f"{min(large):.1f}-{max(large):.1f}", "ratio": round(ratio, 2),
         "ratings_per_second": f"{ratings / large_s:,.0f}", "peak_MB": round(peak),
         "target": f"<= {LARGE_TARGET:g}, < {LARGE_MEMORY_MB} MB", "ok": "yes" if ok else "NO"},
    ])


def main(argv: list[str] | None = None) -> None:
    """Print parts 1, 2 and 3 (``--scale-only``: part 2 only; ``--large-only``: part 3 only;
    ``--repeats N``: runs of each build in part 3, default 3)."""
    args = sys.argv[1:] if argv is None else argv
    root = project_root()
    pd.set_option("display.width", 160)
    if "--scale-only" not in args and "--large-only" not in args:
        print("Part 1: build times (median of repeated runs; ratios to a bare one-page Jupyter Book build)")
        print(build_times(root).to_string(index=False))
        print()
    if "--large-only" not in args:
        print("Part 2: scale (1,000 cohorts x 30 participants x 38 behaviours x 2 waves)")
        print(scale_bench(root).to_string(index=False))
        print()
    if "--scale-only" not in args:
        print("Part 3: the whole report for 10,000 participants (make book DATA=...; ratio to the bare build in the same run)")
        repeats = int(args[args.index("--repeats") + 1]) if "--repeats" in args else 3
        print(large_cohort_build(root, repeats=repeats).to_string(index=False))


if __name__ == "__main__":
    main()
