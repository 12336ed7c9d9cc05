"""Mistakes that several exercises share, as factories of `Mistake` objects.

A mistake is the reference run with the mistake made: "stride ignored" is the reference with
``stride=1``. Variants return None where the mistake makes no sense for the arguments (a stride
that is already 1); the judge also skips any variant that happens to equal the right answer.
"""

from __future__ import annotations

import numpy as np

from .core import Args, Mistake

__all__ = [
    "ignored",
    "one_short",
    "pair",
    "swapped",
    "swapped_pairs",
]


def pair(value) -> tuple:
    """An int-or-pair argument as a pair; None stays None."""
    if value is None:
        return None
    if isinstance(value, (tuple, list, np.ndarray)):
        return (int(value[0]), int(value[1]))
    return (int(value), int(value))


def swapped(value):
    """A pair with its two entries swapped; ints and None unchanged."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return (value[1], value[0])
    return value


def swapped_pairs(*names: str) -> Mistake:
    """"H and W swapped" in the pair arguments `names` (e.g. stride=(2, 1) read as (1, 2))."""

    def variant(a: Args):
        changes = {name: swapped(getattr(a, name)) for name in names}
        if all(changes[name] == getattr(a, name) for name in names):
            return None
        return a.call(**changes)

    listed = ", ".join(names)
    return Mistake(
        "H and W swapped",
        f"Your output is what the right computation gives with the two entries of each pair "
        f"argument ({listed}) swapped. A pair is (height, width): its first entry acts along "
        f"the rows (axis -2), its second along the columns (axis -1).",
        variant,
    )


def ignored(name: str, neutral, hint: str, label: str | None = None) -> Mistake:
    """"<name> ignored": the reference with the argument set to its neutral value."""

    def variant(a: Args):
        value = getattr(a, name)
        if value is None or pair(value) == pair(neutral):
            return None
        return a.call(**{name: neutral})

    return Mistake(label or f"{name} ignored", hint, variant)


def _drop_last(array):
    if not isinstance(array, np.ndarray) or array.ndim < 2 or min(array.shape[-2:]) < 2:
        return None
    return array[..., :-1, :-1]


def one_short() -> Mistake:
    """The output one row and one column short: the ``+ 1`` of the size formula forgotten."""

    def variant(a: Args):
        expected = a.expected
        if isinstance(expected, tuple):
            return tuple(_drop_last(part) for part in expected)
        return _drop_last(expected)

    return Mistake(
        "off by one in the output size",
        "Your output is the right one without its last row and column: the size formula needs "
        "its + 1 (a window that fits exactly once gives one output, not zero), and range() must "
        "run over all of them.",
        variant,
    )
