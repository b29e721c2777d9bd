"""Every public function and method of the package has a numpydoc docstring.

Public means: defined in a module of ``lehc_report`` (not imported into it), with a name
that does not start with an underscore.  A docstring must exist; a function that takes
parameters has a ``Parameters`` section, and one that returns something a ``Returns``
section (numpydoc's section names).  The test lists every function that falls short.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import lehc_report

SKIP_PARAMETERS = {"self", "cls", "args", "kwargs"}


def public_functions():
    for info in pkgutil.walk_packages(lehc_report.__path__, "lehc_report."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                yield f"{module.__name__}.{name}", obj
            elif inspect.isclass(obj):
                for method_name, method in vars(obj).items():
                    if method_name.startswith("_") or not inspect.isfunction(method):
                        continue
                    yield f"{module.__name__}.{name}.{method_name}", method


def shortfalls(function) -> list[str]:
    doc = inspect.getdoc(function)
    if not doc:
        return ["no docstring"]
    problems = []
    signature = inspect.signature(function)
    parameters = [p for p in signature.parameters if p not in SKIP_PARAMETERS]
    lines = [line.strip() for line in doc.splitlines()]

    def has_section(title: str) -> bool:
        return any(line == title and i + 1 < len(lines) and set(lines[i + 1]) == {"-"} for i, line in enumerate(lines))

    if function.__name__ in ("main", "setup"):  # command-line and Sphinx entry points: usage in prose
        return problems
    if parameters and not has_section("Parameters"):
        problems.append("no Parameters section")
    returns = signature.return_annotation
    returns_nothing = returns in (None, "None", inspect.Signature.empty)
    if not returns_nothing and not (has_section("Returns") or has_section("Yields")):
        problems.append("no Returns section")
    return problems


def test_every_public_function_has_a_numpydoc_docstring():
    missing = {name: problems for name, function in public_functions() if (problems := shortfalls(function))}
    listing = "\n".join(f"  {name}: {', '.join(problems)}" for name, problems in sorted(missing.items()))
    assert not missing, f"{len(missing)} public functions without a numpydoc docstring:\n{listing}"
