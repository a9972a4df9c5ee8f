"""Number questions: a quantity with its unit blanked out of a sentence of the chapter.

Distractors are the chapter's other quantities in that unit, else multiples of the answer chosen so
the answer is not always the middle value.
"""

from __future__ import annotations

import hashlib
import re

from booktutor.tutoring.facts import ProseSection

UNITS = (
    r"%|ms|μs|ns|seconds?|minutes?|hours?|Hz|kHz|MHz|GHz|kg|mm|cm|km|m/s|V|W|kW|Nm|degrees|°|fps|FPS|DoF|DOF|"
    r"bits|GB|MB|TB|TOPS|joints|layers|cameras|sensors|steps|times|x|×|meters|centimeters|millimeters"
)
NUMBER = re.compile(rf"(?<![\w.,/-])(?P<value>\d{{1,5}}(?:\.\d{{1,3}})?)(?P<space>\s?)(?P<unit>{UNITS})(?![\w/])")
# A quantity that ends a range ("10 to 40 kHz") or is an example ("e.g., 30 FPS") has no single right value.
NOT_THE_ONLY_VALUE = re.compile(r"(?:\d\s*(?:to|–|-)|\b(?:e\.g\.|for example|for instance|such as|say))\W*$", re.I)


def quantities_by_unit(sections: list[ProseSection]) -> dict[str, list[str]]:
    """Every quantity the chapter states, by unit, in reading order (distinct as written)."""
    found: dict[str, dict[str, None]] = {}
    for section in sections:
        for sentence in section.sentences:
            for match in NUMBER.finditer(sentence.text):
                found.setdefault(match.group("unit"), {})[match.group(0)] = None
    return {unit: list(values) for unit, values in found.items()}


def number_distractors(number: re.Match[str], same_unit: list[str], sentence: str) -> list[str]:
    """Three wrong quantities: the chapter's own in the same unit first (real, plausible values), then
    multiples of the answer."""
    taken = {_magnitude(number.group(0))}
    options: list[str] = []
    for candidate in [*(q for q in same_unit if q not in sentence), *_scaled(number)]:
        if len(options) < 3 and _magnitude(candidate) not in taken:
            taken.add(_magnitude(candidate))
            options.append(candidate)
    return options


def _magnitude(quantity: str) -> float:
    return float(re.match(r"[\d.]+", quantity).group(0).rstrip("."))  # type: ignore[union-attr]


# Each set leaves the answer at a different rank among the four choices (smallest … largest), so the
# middle value is not a give-away; the set is picked by a hash of the answer, the rest are fallbacks.
_FACTOR_SETS = ((2, 4, 10), (0.5, 2, 4), (0.25, 0.5, 2), (0.1, 0.25, 0.5))


def _scaled(number: re.Match[str]) -> list[str]:
    value, unit, space = float(number.group("value")), number.group("unit"), number.group("space")
    integer = "." not in number.group("value")
    options: list[str] = []
    first = int(hashlib.sha256(number.group(0).encode()).hexdigest(), 16) % len(_FACTOR_SETS)
    factors = [f for i in range(len(_FACTOR_SETS)) for f in _FACTOR_SETS[(first + i) % len(_FACTOR_SETS)]]
    for factor in factors:
        candidate = value * factor
        if (integer and candidate != int(candidate)) or candidate <= 0 or (unit == "%" and candidate > 100):
            continue
        one = candidate == 1 and len(unit) > 3 and unit.endswith("s")
        shown = f"{int(candidate) if integer else round(candidate, 3):g}{space}{unit[:-1] if one else unit}"
        if shown != number.group(0) and shown not in options:
            options.append(shown)
    return options[:3]
