"""One disclosure rule for every count of a group of people the report prints.

A *group* is the people who share a personal or role characteristic: gender, role
label, sector, source group (professionals, people who use services), and any
crossing of these with an outcome (the professionals who raised a theme).  Every such
count passes :func:`disclosed_group_counts` (a breakdown of people) or
:func:`disclosed_crossing` (a breakdown crossed with an outcome) before it reaches
prose, a table, a caption, a figure or a CSV.  Counts below ``min_group_size``
(``privacy.yml``) are withheld, and so are the complements and totals from which a
withheld count could be worked out (:func:`lehc_report.privacy.suppression_plan`).

Not groups, and so printed as they are: the cohort's own size, each analysis's n and
degrees of freedom, the respondents of each source (survey, interviews: the n of an
analysis), and the number of respondents who raised a coded theme.

The one exception: the shipped cohort, whose data reproduce the 2013 report, may
quote that report's own published counts as facts of that report
(:func:`published_2013_counts`).  The exception is keyed to the content of the
project's own data files (SHA-256), so no other cohort can claim it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lehc_report.inputs.provenance import sha256
from lehc_report.privacy import PRIMARY, SECONDARY, PrivacySettings, suppression_plan

#: The name of the whole cohort in a breakdown map (:func:`disclosed_group_counts`).
OVERALL = "overall"
EVERYONE = "all"


@dataclass(frozen=True)
class DisclosedCounts:
    """The counts of a set of breakdowns that may be printed.

    Attributes
    ----------
    total : int
        The people the breakdowns divide up (the cohort or an analysis's n: not a group).
    counts : dict
        Breakdown -> group -> people, or None where the count is withheld.
    reasons : dict
        ``(breakdown, group)`` -> ``"primary"`` (fewer than the threshold) or
        ``"secondary"`` (would reveal a withheld count by subtraction).
    """

    total: int
    counts: dict[str, dict[str, int | None]]
    reasons: dict[tuple[str, str], str] = field(default_factory=dict)

    def count(self, breakdown: str, group: str) -> int | None:
        """The printable count of one group.

        Parameters
        ----------
        breakdown, group : str

        Returns
        -------
        int or None
            None when withheld.
        """
        return self.counts[breakdown][group]

    def withheld(self, breakdown: str) -> bool:
        """Whether any group of ``breakdown`` is withheld.

        Parameters
        ----------
        breakdown : str

        Returns
        -------
        bool
        """
        return any(value is None for value in self.counts[breakdown].values())

    def shown(self, breakdown: str) -> dict[str, int]:
        """The groups of ``breakdown`` whose counts may be printed (empty groups left out).

        Parameters
        ----------
        breakdown : str

        Returns
        -------
        dict
            Group -> people, in the order given.
        """
        return {g: n for g, n in self.counts[breakdown].items() if n is not None and n > 0}


def disclosed_group_counts(total: int, breakdowns: Mapping[str, Mapping[str, int]],
                           settings: PrivacySettings) -> DisclosedCounts:
    """The counts of people by group that may be printed, under the small-cell rule.

    A group of 1 to ``min_group_size - 1`` people is withheld (primary suppression); in
    each breakdown with a withheld group, the next-smallest groups are withheld too until
    at least two, holding at least ``min_group_size`` people between them, are withheld
    (secondary suppression: the groups add up to ``total``, so one withheld group could be
    worked out by subtraction).  When ``total`` itself is below the threshold, every group
    is withheld.  Empty groups (0) are printed: they reveal nothing.

    Parameters
    ----------
    total : int
        The people the breakdowns divide up (the cohort, or the respondents of one source).
        Each breakdown's groups must add up to it: put people with an unrecorded value in
        a group of their own (e.g. ``"other"``), so that they are protected too.
    breakdowns : mapping
        Breakdown name (e.g. ``"gender"``) -> group (e.g. ``"female"``) -> people.
    settings : PrivacySettings
        ``min_group_size``.

    Returns
    -------
    DisclosedCounts

    Raises
    ------
    ValueError
        A breakdown's groups do not add up to ``total``, or a name is ``"overall"``.

    References
    ----------
    Office for National Statistics, *Disclosure control guidance for tables produced from
    surveys*; NHS Digital, *Disclosure control method for published statistics*
    (:func:`lehc_report.privacy.suppression_plan` applies the rule).
    """
    for name, groups in breakdowns.items():
        if name == OVERALL:
            raise ValueError(f"'{OVERALL}' is the total's name, not a breakdown's")
        if sum(groups.values()) != total:
            raise ValueError(f"breakdown '{name}' adds up to {sum(groups.values())} people, not the total {total}: "
                             "put people with an unrecorded value in a group of their own")
    plan = suppression_plan({OVERALL: {EVERYONE: total}, **breakdowns}, settings)
    counts = {name: {g: (None if (name, g) in plan else int(n)) for g, n in groups.items()}
              for name, groups in breakdowns.items()}
    reasons = {key: reason for key, reason in plan.items() if key[0] != OVERALL}
    return DisclosedCounts(int(total), counts, reasons)


def disclosed_crossing(raised: Mapping[str, int], sizes: Mapping[str, int], settings: PrivacySettings,
                       withheld_groups: set[str] | frozenset[str] = frozenset()) -> dict[str, int | None]:
    """The counts of one outcome (e.g. a theme raised) within each group that may be printed.

    A crossing of a group with an outcome is itself a group.  A cell is withheld when
    fewer than ``min_group_size`` people of the group had the outcome, or fewer than that
    did not (the complement, which ``n - count`` gives away), or when the group itself is
    withheld.  Then every cell of the breakdown is withheld for this outcome, because the
    outcome's total (which is printed: a count of respondents raising a theme is not a
    group) minus the other cells would give the withheld one back.

    Parameters
    ----------
    raised : mapping
        Group -> people of the group with the outcome.
    sizes : mapping
        Group -> people in the group.
    settings : PrivacySettings
        ``min_group_size``.
    withheld_groups : set of str
        Groups whose size is withheld (:func:`disclosed_group_counts`).

    Returns
    -------
    dict
        Group -> people with the outcome, or None where withheld.

    References
    ----------
    Office for National Statistics, *Disclosure control guidance for tables produced from
    surveys* (attribute disclosure and differencing).
    """
    k = settings.min_group_size

    def small(n: int) -> bool:
        return 0 < n < k

    risky = any(g in withheld_groups or small(int(raised[g])) or small(int(sizes[g]) - int(raised[g]))
                for g in raised if sizes[g] > 0)
    return {g: (None if risky and sizes[g] > 0 else int(raised[g])) for g in raised}


@dataclass(frozen=True)
class Published2013:
    """The 2013 report's own published counts of people, quoted as facts of that report."""

    participants: int = 9
    participants_female: int = 7
    participants_male: int = 2


#: The SHA-256 of the project's own data files that carry the 2013 cohort's people (its
#: register of participants and of respondents; not ``cohort.yml``, whose wording and
#: credits are edited for reasons that have nothing to do with who took part).
#: Only a data folder whose files have exactly these contents is the 2013 cohort; any
#: change to them (or another cohort claiming to be it) loses the exception, and every
#: count then passes the small-cell rule like any other cohort's.  Update deliberately
#: (``python -m lehc_report.disclosure data``) when the shipped data change.
SHIPPED_DATA_SHA256 = {
    "participants.csv": "5b9a6796e9b5a3cb64fc3245be90d5de39d7d995e3d60482710233fd97f34205",
    "respondents.csv": "bda84c5029f9146213c5e8362f6392c3edeb6af8233d160d8c90910e1aedb943",
}


def shipped_data_digests(data_dir: Path) -> dict[str, str]:
    """The SHA-256 of the files that key the 2013 exception, in a data folder.

    Parameters
    ----------
    data_dir : Path
        A cohort's data folder.

    Returns
    -------
    dict
        File name -> 64 hexadecimal digits, or ``""`` for a file that is absent.
    """
    return {name: (sha256(Path(data_dir) / name) if (Path(data_dir) / name).is_file() else "")
            for name in SHIPPED_DATA_SHA256}


def published_2013_counts(data_dir: Path) -> Published2013 | None:
    """The 2013 report's published counts, when ``data_dir`` holds the project's own data.

    Parameters
    ----------
    data_dir : Path
        The cohort's data folder.

    Returns
    -------
    Published2013 or None
        None for any folder whose files differ from the shipped data by a byte
        (:data:`SHIPPED_DATA_SHA256`); a ``cohort.yml`` key cannot turn the exception on.
    """
    return Published2013() if shipped_data_digests(data_dir) == SHIPPED_DATA_SHA256 else None


def main(argv: list[str] | None = None) -> None:
    """Print the digests of a data folder, to update :data:`SHIPPED_DATA_SHA256` deliberately.

    Parameters
    ----------
    argv : list of str, optional
        One argument: the data folder.
    """
    import sys

    args = sys.argv[1:] if argv is None else argv
    for name, digest in shipped_data_digests(Path(args[0] if args else "data")).items():
        print(f'    "{name}": "{digest}",')


if __name__ == "__main__":
    main()


__all__ = ["DisclosedCounts", "PRIMARY", "Published2013", "SECONDARY", "disclosed_crossing", "disclosed_group_counts",
           "published_2013_counts", "shipped_data_digests"]
