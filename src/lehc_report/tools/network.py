"""The report across cohorts, from the command line (Makefile targets ``network-results``,
``network`` and ``network-demo``).

    python -m lehc_report.tools.network results NETWORK.yml [--build _build] [--jobs 2]
    python -m lehc_report.tools.network cohorts NETWORK.yml [--build _build]   # each cohort's own report
    python -m lehc_report.tools.network report  NETWORK.yml [--build _build] [--no-pdf]
    python -m lehc_report.tools.network demo    OUT_DIR [--build _build]         # synthetic cohorts

Bad input ends the run with one line (file, cohort, key, what to do) and exit status 1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from lehc_report.errors import InputError
from lehc_report.paths import BuildFolderError, ProjectPaths, claim_build_folder, project_root


def _results(args, root: Path):
    from lehc_report.inputs.personal_data import scan_yaml_file
    from lehc_report.network.compute import compute_network, write_results
    from lehc_report.network.config import load_network, network_privacy_settings

    started = time.perf_counter()
    network = load_network(args.network)
    # The labels, regions and title reach the report: scanned as every input is.
    scan_yaml_file(network.source, network_privacy_settings(network, root))
    results = compute_network(network, root, args.build, jobs=args.jobs)
    written = write_results(results, args.build / "network" / "results")
    seconds = time.perf_counter() - started
    print(f"network: {len(network.cohorts)} cohorts ({len(results.cohort_effects['cohort'].unique())} pooled) "
          f"in {seconds:.1f} s -> {written['cohort_effects'].parent}")
    return results


def _cohorts(args, root: Path) -> None:
    """Each cohort's own report: ``make book DATA=<its data> BUILD=<build>/network/cohorts/<id>``
    (an independent-samples report for a cohort whose waves are not linked)."""
    from lehc_report.network.config import load_network

    network = load_network(args.network)
    make = os.environ.get("MAKE", "make")
    for number, cohort in enumerate(network.cohorts, start=1):
        build = (args.build / "network" / "cohorts" / cohort.id).resolve()
        print(f"network: cohort {number}/{len(network.cohorts)} {cohort.id}: make book -> {build}/html", flush=True)
        done = subprocess.run([make, "--no-print-directory", "book", f"DATA={cohort.data}", f"BUILD={build}"], cwd=root)
        if done.returncode != 0:
            raise SystemExit(f"network: the report of cohort {cohort.id!r} ({cohort.data}) failed; see the lines above")


def _report(args, root: Path) -> None:
    from lehc_report.network.config import network_privacy_settings
    from lehc_report.network.report import build_html, build_pdf, write_book

    results = _results(args, root)
    gate = network_privacy_settings(results.network, root)
    network_build = args.build / "network"
    book = write_book(results, network_build / "book", root)
    print(f"network: {build_html(book, network_build, gate)}")
    if not args.no_pdf:
        print(f"network: {build_pdf(book, network_build, args.chromium, gate)}")


def main(argv: list[str] | None = None) -> None:
    """Run one subcommand; bad input or a refused build folder ends it with one line on stderr.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("results", "cohorts", "report"):
        p = sub.add_parser(name)
        p.add_argument("network", type=Path, help="the network file (YAML)")
        p.add_argument("--build", type=Path, default=None, help="build folder (default $LEHC_BUILD or _build)")
        p.add_argument("--jobs", type=int, default=int(os.environ.get("NETWORK_JOBS", "2")), help="processes for the cohorts")
        p.add_argument("--no-pdf", action="store_true")
        p.add_argument("--chromium", default=None)
    demo = sub.add_parser("demo")
    demo.add_argument("out", type=Path)
    demo.add_argument("--build", type=Path, default=None, help="the build folder OUT lies in: marked as one first")
    args = parser.parse_args(argv)
    root = project_root()
    try:
        if args.build is not None or args.command != "demo":
            args.build = (args.build or Path(os.environ.get("LEHC_BUILD", root / "_build"))).resolve()
            # The network lives inside a build folder: mark it as one (or refuse it), as `make book` does,
            # so that a later `make book BUILD=<the same folder>` accepts it.
            claim_build_folder(ProjectPaths(root=root, data=(root / "data").resolve(), build=args.build))
        if args.command == "demo":
            from lehc_report.network.demo import write_demo

            print(f"network-demo: {write_demo(args.out, root)}")
            return
        {"results": _results, "cohorts": _cohorts, "report": _report}[args.command](args, root)
    except (InputError, BuildFolderError) as error:
        print(f"network: {error}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
