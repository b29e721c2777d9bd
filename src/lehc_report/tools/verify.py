"""Check that the report's artefacts rebuild byte for byte from the raw data.

    python -m lehc_report.tools.verify manifest   # record results/MANIFEST.sha256 from _build
    python -m lehc_report.tools.verify verify     # rebuild from scratch, compare with it
    python -m lehc_report.tools.verify check      # compare the current _build, no rebuild

The manifest lists, sorted by path, the SHA-256 of every result CSV
(``_build/results/*.csv``), figure (``_build/generated/figures/*.png|svg``) and
table snippet (``_build/generated/tables/*.md``), with paths relative to the build
folder, in the format of ``sha256sum``: from ``_build``,
``sha256sum -c ../results/MANIFEST.sha256`` checks it too.

``verify`` first removes everything derived from the data (the stamps, the
execution cache, the results, the generated figures and tables and the tidy
tables; ``.venv`` stays), then runs ``make book``, so every notebook re-runs with
an empty cache, and then compares.  It prints one line per artefact, ``PASS``,
``FAIL`` (expected and actual hashes), ``MISSING`` (in the manifest, not built) or
``EXTRA`` (built, not in the manifest), and exits non-zero on any difference.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from lehc_report.paths import get_paths

#: What the manifest covers, as globs relative to the build folder.
ARTEFACTS = ("results/*.csv", "generated/figures/*.png", "generated/figures/*.svg", "generated/tables/*.md")
#: Removed by ``verify`` before rebuilding: everything computed from the raw data.
DERIVED = ("stamps", ".jupyter_cache", "results", "generated", "tidy")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def artefacts(build: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every artefact in ``build``."""
    found: dict[str, str] = {}
    for pattern in ARTEFACTS:
        for path in build.glob(pattern):
            if path.is_file():
                found[path.relative_to(build).as_posix()] = sha256(path)
    return dict(sorted(found.items()))


def format_manifest(hashes: dict[str, str]) -> str:
    return "".join(f"{digest}  {name}\n" for name, digest in sorted(hashes.items()))


def read_manifest(path: Path) -> dict[str, str]:
    hashes: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise SystemExit(f"{path}:{number}: not a sha256sum line: {line!r}")
        hashes[name.lstrip("*")] = digest
    return hashes


def write_manifest(build: Path, manifest: Path) -> dict[str, str]:
    hashes = artefacts(build)
    if not hashes:
        raise SystemExit(f"{build}: no artefacts found (run make book first)")
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(format_manifest(hashes), encoding="utf-8")
    return hashes


def compare(expected: dict[str, str], actual: dict[str, str]) -> list[str]:
    """One line per artefact; the caller fails when any line is not ``PASS``."""
    lines = []
    for name in sorted(set(expected) | set(actual)):
        if name not in actual:
            lines.append(f"MISSING {name}")
        elif name not in expected:
            lines.append(f"EXTRA {name}")
        elif expected[name] == actual[name]:
            lines.append(f"PASS {name}")
        else:
            lines.append(f"FAIL {name} (expected {expected[name]}, got {actual[name]})")
    return lines


def clean_derived(build: Path) -> None:
    for name in DERIVED:
        target = build / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()


def rebuild(root: Path, make: str) -> None:
    command = [*shlex.split(make), "-C", str(root), "book"]
    print(f"verify: rebuilding from the raw data: {' '.join(command)}", flush=True)
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        raise SystemExit(f"verify: the rebuild failed (exit {result.returncode})")


def report(expected: dict[str, str], actual: dict[str, str], manifest: Path) -> int:
    lines = compare(expected, actual)
    for line in lines:
        print(line)
    failed = [line for line in lines if not line.startswith("PASS ")]
    if failed:
        print(f"verify: {len(failed)} of {len(lines)} artefacts differ from {manifest}", file=sys.stderr)
        return 1
    print(f"verify: all {len(lines)} artefacts match {manifest}")
    return 0


def main(argv: list[str] | None = None) -> int:
    paths = get_paths()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("manifest", "verify", "check"))
    parser.add_argument("--build", type=Path, default=paths.build, help="build folder (default: $LEHC_BUILD or _build)")
    parser.add_argument("--manifest", type=Path, default=paths.root / "results" / "MANIFEST.sha256")
    parser.add_argument("--make", default=os.environ.get("MAKE", "make"), help="make command for the rebuild")
    args = parser.parse_args(argv)
    build = args.build if args.build.is_absolute() else paths.root / args.build
    manifest = args.manifest if args.manifest.is_absolute() else paths.root / args.manifest

    if args.command == "manifest":
        hashes = write_manifest(build, manifest)
        print(f"manifest: {len(hashes)} artefacts -> {manifest}")
        return 0
    if not manifest.is_file():
        raise SystemExit(f"{manifest}: no manifest (run make manifest on a trusted build and commit it)")
    expected = read_manifest(manifest)
    if args.command == "verify":
        clean_derived(build)
        rebuild(paths.root, args.make)
    return report(expected, artefacts(build), manifest)


if __name__ == "__main__":
    sys.exit(main())
