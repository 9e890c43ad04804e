"""Counts of people on public pages: any count of 1 to 4 is shown as "<5".

A count that small can point at a person ("the one death benefit in หมู่ 3 this year"), so a
public page never prints it (RELIABILITY S8, k = 5). A zero names no one and is shown.

When a group of counts adds up to a total the page also shows, hiding one small count is not
enough: the total minus the others gives it back. `protect_group` then hides the smallest of
the others too, so the hidden pair's sum is known but neither count is.

Pure Python, no Django: the rule is tested on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

T = TypeVar("T")

K = 5  # the smallest count a public page may show, zero apart
SMALL = "<5"
HIDDEN = "hidden"  # hidden so that a small count cannot be worked out from a total


@dataclass(frozen=True)
class Count:
    """A count of people or claims as the public may see it.

    It carries its number only to decide what to show: `public()` is the one way out, and it
    gives "<5" or "hidden" instead of any number from 1 to 4.
    """

    n: int
    hidden: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 0:
            raise TypeError(f"a public count is a whole number of at least 0, not {self.n!r}")

    @property
    def small(self) -> bool:
        return 0 < self.n < K

    @property
    def shown(self) -> bool:
        return not self.small and not self.hidden

    def public(self) -> int | str:
        if self.small:
            return SMALL
        if self.hidden:
            return HIDDEN
        return self.n

    def __add__(self, other: Count) -> Count:
        return Count(self.n + other.n)

    def __str__(self) -> str:
        value = self.public()
        return f"{value:,}" if isinstance(value, int) else value


ZERO_COUNT = Count(0)


def pinned(counts: Sequence[Count]) -> bool:
    """Whether a reader who knows the total could pin down a small count exactly.

    The reader sees the shown counts and the total, knows each "<5" is 1 to 4 and each
    "hidden" is at least 5 (it would say "<5" otherwise). Small counts are alike to the reader,
    so one range fits them all: they are safe while it holds at least two values.
    """
    small = sum(1 for c in counts if c.small)
    if not small:
        return False
    hidden = sum(1 for c in counts if c.hidden and not c.small)
    suppressed = sum(c.n for c in counts if not c.shown)
    others_low = (small - 1) + hidden * K
    low = 1 if hidden else max(1, suppressed - (small - 1) * (K - 1))
    high = min(K - 1, suppressed - others_low)
    return high - low < 1


def protect_group(counts: Sequence[Count]) -> list[Count]:
    """The counts of one group whose total is shown, with more of them hidden until no small
    count can be worked out from the total and the others: the smallest shown counts go first.

    When hiding every other count is still not enough, the total itself must be hidden:
    `total_of` does that.
    """
    out = list(counts)
    while pinned(out):
        shown = [i for i, c in enumerate(out) if c.shown and c.n > 0]
        if not shown:
            break
        smallest = min(shown, key=lambda i: out[i].n)
        out[smallest] = replace(out[smallest], hidden=True)
    return out


def total_of(counts: Sequence[Count]) -> Count:
    """The group's total; hidden when showing it would pin down one of its small counts."""
    total = Count(sum(c.n for c in counts))
    if total.shown and pinned(counts):
        return replace(total, hidden=True)
    return total


def total_beside(n: int, group: Sequence[Count]) -> Count:
    """A total worked out elsewhere (a roll-up) shown beside a protected group it adds up:
    hidden, like `total_of`'s, when it would pin down one of the group's small counts."""
    total = Count(n)
    if total.shown and n == sum(c.n for c in group) and pinned(group):
        return replace(total, hidden=True)
    return total


def withhold(amounts: Sequence[T], counts: Sequence[Count]) -> list[T | None]:
    """The amounts of a group with None where the count beside them is not shown.

    A benefit of a fixed amount turns baht back into a count (1,500 baht of a 500-baht benefit
    is 3 claims), so an amount goes where its count goes. The group's total amount is still
    shown: it gives only the withheld amounts' sum, as the hidden counts give only theirs.
    """
    return [a if c.shown else None for a, c in zip(amounts, counts, strict=True)]


def apart(
    figures: dict[str, Count], nested: Sequence[tuple[str, str]], kept_first: Sequence[str]
) -> dict[str, Count]:
    """Counts of sets of people inside one another (members since the start ⊇ current ⊇
    eligible), with the less telling of two hidden wherever their difference would be a count
    of 1 to 4 people (those who left, say). `kept_first` orders which figure stays shown.
    Hiding only ever takes a pair away, so one pass is enough."""
    out = dict(figures)
    for larger, smaller in nested:
        a, b = out[larger], out[smaller]
        if a.shown and b.shown and 0 < abs(a.n - b.n) < K:
            hide = max(larger, smaller, key=list(kept_first).index)
            out[hide] = replace(out[hide], hidden=True)
    return out
