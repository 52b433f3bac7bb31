"""Pure formulas of SPEC §5 over the sums the database returns. Each has an explicit rule for a
zero denominator (`None`), and percentages are rounded to 2 decimals."""

from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

TWO = Decimal("0.01")


class TrafficLight(StrEnum):
    on_track = "on_track"
    at_risk = "at_risk"
    off_track = "off_track"


def _dec(value: object) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round2(value: object | None) -> Decimal | None:
    if value is None:
        return None
    return _dec(value).quantize(TWO, rounding=ROUND_HALF_UP)


def pct(part: object | None, whole: object | None) -> Decimal | None:
    """100 × part / whole, or None when the whole is 0 or unknown."""
    if whole is None or _dec(whole) == 0:
        return None
    return round2(Decimal(100) * _dec(part or 0) / _dec(whole))


def ratio(numerator: object | None, denominator: object | None) -> Decimal | None:
    """numerator / denominator (already a percentage), or None when the denominator is 0."""
    if denominator is None or _dec(denominator) == 0:
        return None
    return round2(_dec(numerator or 0) / _dec(denominator))


def traffic_light(progress: Decimal | None, expected: Decimal | None) -> TrafficLight | None:
    """on_track when progress ≥ 90 % of expected, at_risk from 70 %, else off_track."""
    if progress is None or expected is None:
        return None
    if progress >= expected * Decimal("0.9"):
        return TrafficLight.on_track
    if progress >= expected * Decimal("0.7"):
        return TrafficLight.at_risk
    return TrafficLight.off_track
