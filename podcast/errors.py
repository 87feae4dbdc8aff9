"""Problems and errors: one small tree, in the style of requests and mutagen.

A `Problem` is one thing wrong with the input (or one lint finding): it names the
file, the field or line, says what is wrong and what to do. Stages collect every
problem of a run and raise one error that carries them all, so the user sees the
whole list at once instead of fixing one thing per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about the input, located as precisely as we can."""

    path: str
    message: str
    field: str | None = None
    line: int | None = None
    hint: str | None = None
    severity: Severity = "error"
    code: str | None = None

    def __str__(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "")
        what = f"{self.field}: {self.message}" if self.field else self.message
        tag = f"{self.severity}" + (f" {self.code}" if self.code else "")
        text = f"{where}: {tag}: {what}"
        return f"{text} ({self.hint})" if self.hint else text

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "field": self.field,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class PodcastError(Exception):
    """Root of every error this package raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        field: str | None = None,
        line: int | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.field = field
        self.line = line
        self.problems: list[Problem] = list(problems or [])

    def __str__(self) -> str:
        if not self.problems:
            return super().__str__()
        lines = [super().__str__()] + [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class ConfigError(PodcastError, ValueError):
    """podcast.toml or an episode.md is wrong."""


class AudioError(PodcastError, ValueError):
    """An audio file cannot be read or is not what it claims to be.

    `reason` is the message without the file's path, for callers that name the file themselves.
    """

    def __init__(self, message: str, *, reason: str | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.reason = reason or message


class LintFailure(PodcastError):
    """Lint found errors (or warnings, in strict mode)."""


class PageError(PodcastError, ValueError):
    """A web page could not be rendered (a template of the show's own is broken)."""


class PublishError(PodcastError, OSError):
    """Uploading, copying or pinging failed."""

    def __init__(self, message: str, *, url: str | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.url = url


def errors_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings_in(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


def tally(problems: list[Problem]) -> str:
    """'2 error(s), 1 warning(s)': the count a summary gives, of exactly the problems it follows."""
    return f"{len(errors_in(problems))} error(s), {len(warnings_in(problems))} warning(s)"
