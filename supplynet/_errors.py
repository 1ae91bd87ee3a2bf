"""The exception hierarchy of supplynet: every error the library raises on purpose."""

from __future__ import annotations

__all__ = [
    "SupplynetError",
    "NetworkReadError",
    "NetworkValidationError",
    "SelectorError",
    "AnalysisError",
    "ScenarioError",
    "OutputError",
    "FormatError",
]


class SupplynetError(Exception):
    """Base class of every error supplynet raises on purpose."""


class NetworkReadError(SupplynetError, OSError):
    """A network file could not be read at all (missing, unreadable, not JSON, too large)."""


class NetworkValidationError(SupplynetError, ValueError):
    """A network file was read but breaks the schema.

    Parameters
    ----------
    problems : list of str
        Every problem found, one sentence each, naming the feature, property and value.
    source : str, optional
        The file (or ``"<stdin>"``) the problems were found in.
    """

    def __init__(self, problems: list[str], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''}{where}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class SelectorError(SupplynetError, ValueError):
    """A ``--sources`` / ``--sinks`` selector is malformed or selects nothing."""


class AnalysisError(SupplynetError, ValueError):
    """An analysis cannot be carried out on this network (e.g. no sources)."""


class ScenarioError(SupplynetError, ValueError):
    """A what-if scenario or scenario file is malformed or names unknown elements."""


class OutputError(SupplynetError, OSError):
    """An output file cannot be written (exists without ``--overwrite``, unwritable)."""


class FormatError(OutputError, ValueError):
    """An output format is unknown, or contradicts the output file's suffix."""
