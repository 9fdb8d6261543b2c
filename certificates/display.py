"""Evaluations in words: one row per requirement, ready for a template."""

from dataclasses import dataclass

from . import eligibility, wording
from .selectors import Names


@dataclass(frozen=True)
class Row:
    requirement: str
    progress: str
    gap: str
    met: bool
    is_hours: bool
    required: float
    earned: float
    percent: int


def rows_of(evaluation: eligibility.Evaluation, names: Names) -> list[Row]:
    kwargs = names.as_kwargs()
    rows = []
    for item in evaluation.items:
        is_hours = item.kind in (eligibility.HOURS_TOTAL, eligibility.HOURS_DOMAIN)
        rows.append(
            Row(
                requirement=wording.requirement_text(item, **kwargs),
                progress=wording.progress_text(item, **kwargs),
                gap=wording.gap_text(item, **kwargs),
                met=item.met,
                is_hours=is_hours,
                required=float(item.required),
                earned=float(min(item.earned, item.required)),
                percent=round(item.fraction * 100),
            )
        )
    return rows


def gaps_of(evaluation: eligibility.Evaluation, names: Names) -> list[str]:
    """What is left, in words, in requirement order."""
    kwargs = names.as_kwargs()
    return [text for item in evaluation.missing if (text := wording.gap_text(item, **kwargs))]
