"""The network file: which cohorts make up the programme's network.

``network.yml`` lists cohorts, each with an ``id`` (a folder-safe name), a ``label``,
the ``year`` it ran, its ``region`` and its ``data`` folder (relative to the network
file, laid out as ``data/README.md`` describes)::

    title: The programme across cohorts        # optional
    cohorts:
      - {id: c2013, label: First course, year: 2013, region: South Central, data: ../data}

The file is validated with pydantic; a problem ends the run with one line naming the
file, the cohort and the key.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from lehc_report.errors import DataError

__all__ = ["Cohort", "Network", "NetworkError", "load_network", "network_privacy_settings"]


class NetworkError(DataError):
    """The network file, or a cohort it lists, cannot be used (one located line)."""


class Cohort(BaseModel):
    """One cohort of the network, as the network file gives it."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    label: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=1900, le=2200)
    region: str = Field(min_length=1, max_length=100)
    data: Path


class Network(BaseModel):
    """The whole network file; ``data`` folders are resolved against the file's folder."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    title: str = Field(default="The programme across cohorts", min_length=1, max_length=200)
    cohorts: list[Cohort] = Field(min_length=1)
    #: The network file itself (set by :func:`load_network`, not read from it).
    source: Path = Path("network.yml")


def _where(spec: dict, location: tuple) -> tuple[str, str]:
    """``("cohort 'b2' (entry 2)", "yeer")`` for a pydantic error location."""
    if location and location[0] == "cohorts" and len(location) >= 2 and isinstance(location[1], int):
        index = location[1]
        entries = spec.get("cohorts") or []
        entry = entries[index] if index < len(entries) else None
        name = entry.get("id") if isinstance(entry, dict) else None
        cohort = f"cohort {name!r} (entry {index + 1})" if isinstance(name, str) else f"cohort entry {index + 1}"
        key = ".".join(str(part) for part in location[2:]) or "(the entry)"
        return cohort, key
    return "top level", ".".join(str(part) for part in location) or "(the file)"


def _message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown key; a cohort has id, label, year, region and data (the file has title and cohorts)"
    if error["type"] == "missing":
        return "missing; every cohort needs id, label, year, region and data"
    if error["type"] == "string_pattern_mismatch":
        return "must be letters, digits, '-' or '_' (at most 64; it names the cohort's build folder)"
    return error["msg"][:1].lower() + error["msg"][1:]


def load_network(path: Path) -> Network:
    """Read and validate a network file.

    Parameters
    ----------
    path : Path
        The network file (YAML).

    Returns
    -------
    Network
        With every cohort's ``data`` an absolute path, resolved against the file's folder.

    Raises
    ------
    NetworkError
        The file is missing or not YAML, a key is unknown or missing, a value has the wrong
        type, two cohorts share an id, or a data folder does not exist; the one-line
        message names the file, the cohort (its id and entry number) and the key.
    """
    path = Path(path).resolve()
    if not path.is_file():
        raise NetworkError(path, "no such network file; give NETWORK=path/to/network.yml (make network-demo writes an example)")
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise NetworkError(path, f"not valid YAML ({getattr(error, 'problem', error)})", row=mark.line + 1 if mark else None) from None
    if not isinstance(spec, dict):
        raise NetworkError(path, "must hold 'cohorts:', a list of cohorts (id, label, year, region, data)")
    try:
        network = Network.model_validate({**spec, "source": path})
    except ValidationError as error:
        first = error.errors()[0]
        where, key = _where(spec, tuple(first["loc"]))
        raise NetworkError(path, f"{where}, key {key!r}: {_message(first)}") from None
    seen: dict[str, int] = {}
    resolved = []
    for number, cohort in enumerate(network.cohorts, start=1):
        if cohort.id in seen:
            raise NetworkError(path, f"cohort {cohort.id!r} (entry {number}), key 'id': already used by entry {seen[cohort.id]}; ids must be unique")
        seen[cohort.id] = number
        folder = (path.parent / cohort.data).resolve()
        if not folder.is_dir():
            raise NetworkError(path, f"cohort {cohort.id!r} (entry {number}), key 'data': no folder {folder}")
        resolved.append(cohort.model_copy(update={"data": folder}))
    return network.model_copy(update={"cohorts": resolved})


def network_privacy_settings(network: Network, root: Path):
    """The privacy settings for what the network report shows: ``privacy.yml``'s, with every
    cohort's own deny-list added (a name one cohort withholds is withheld across cohorts too).

    Parameters
    ----------
    network : Network
        From :func:`load_network` (data folders resolved).
    root : Path
        The project, holding ``privacy.yml``.

    Returns
    -------
    lehc_report.privacy.PrivacySettings
        The deny-list holds the project's names, then each cohort's in the file's order,
        without repeats.
    """
    import dataclasses

    from lehc_report.privacy import COHORT_DENY_LIST, load_settings, read_deny_list

    settings = load_settings(root)
    names = list(settings.deny_list)
    for cohort in network.cohorts:
        names += [name for name in read_deny_list(cohort.data / COHORT_DENY_LIST) if name not in names]
    return dataclasses.replace(settings, deny_list=tuple(names))
