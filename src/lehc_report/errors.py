"""The one error hierarchy for bad input.

Every error that reports a problem in what a cohort supplies derives from
:class:`InputError` and carries the file, row and column it is about, so that the
build can end with one line an evaluator can act on.  Anything else that goes wrong
is a fault in the package and is shown with its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


class InputError(ValueError):
    """Invalid input, located by file, row and column, with what to do about it.

    Parameters
    ----------
    file : Path or str
        The input file (or folder) at fault.
    message : str
        What is wrong and what to do about it.
    row, column : optional
        Spreadsheet row (header = 1) and column name or setting key.

    The message reads ``"<file name>, row <row>, column '<column>': <message> [<full path>]"``.
    """

    def __init__(self, file: Path | str, message: str, row: int | None = None, column: str | None = None):
        self.file, self.row, self.column = str(file), row, column
        where = [Path(self.file).name]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message} [{self.file}]")


class DataError(InputError):
    """A self-assessment export, framework, cohort or data folder that breaks the contract."""


class PersonalDataFound(InputError):
    """Personal data in a field that can reach an output: located, so the source can be redacted."""

    def __init__(self, message: str, file: Path | str = "", row: int | None = None, column: str | None = None):
        self.file, self.row, self.column = str(file), row, column
        ValueError.__init__(self, message)


@dataclass(frozen=True)
class Problem:
    """One problem in one cell (or header, or codebook entry) of one input file."""

    file: str
    row: int | None
    column: str | None
    message: str
    fix: str
    row_word: str = "row"
    column_word: str = "column"

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", {self.row_word} {self.row}"
        if self.column:
            where += f", {self.column_word} '{self.column}'"
        return f"{where}: {self.message} What to do: {self.fix}"


class QualitativeDataError(InputError):
    """The qualitative data files break the file contract.

    ``problems`` lists every problem found at the failing stage; ``file``, ``row`` and
    ``column`` describe the first one.
    """

    MAX_LISTED = 25

    def __init__(self, problems: Sequence[Problem]):
        if not problems:
            raise ValueError("QualitativeDataError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0]
        self.file, self.row, self.column = first.file, first.row, first.column
        if len(self.problems) == 1:
            message = str(first)
        else:
            listed = [f"- {p}" for p in self.problems[: self.MAX_LISTED]]
            if len(self.problems) > self.MAX_LISTED:
                listed.append(f"- ... and {len(self.problems) - self.MAX_LISTED} more")
            message = f"{len(self.problems)} problems in the qualitative data:\n" + "\n".join(listed)
        ValueError.__init__(self, message)


def input_error_names() -> frozenset[str]:
    """Class names of :class:`InputError` and every subclass.

    An error raised in a notebook's kernel reaches the executor only as its class name,
    so the executor recognises bad input by these names.

    Returns
    -------
    frozenset of str
    """
    names, todo = set(), [InputError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return frozenset(names)
