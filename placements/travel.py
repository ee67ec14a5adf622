"""The estimated travel time between carers and a child's family time.

Carers of a baby in Early Permanence take the baby to family time, often several times
a week, so the agency looks at how far they live from the venue when it links carers
with a referral. The portal has no route planner: it takes the straight-line
(great-circle, haversine) distance between the centres of the two postcode districts,
multiplies it by the agency's road factor (roads are longer than a straight line) and
divides it by the agency's average speed (``MATCHING_ROAD_FACTOR``,
``MATCHING_SPEED_KMH``). The result is an estimate and is always shown as one.
"""

import math
from decimal import Decimal

# The mean radius of the Earth (IUGG), in kilometres.
EARTH_RADIUS_KM = 6371.0088


def district_of(postcode: str) -> str:
    """The outward code of a UK postcode ("OK1 4DQ" -> "OK1"; "OK14DQ" -> "OK1").

    The inward code is always a digit and two letters, so it is the last three
    characters once spaces are removed.
    """
    compact = "".join((postcode or "").split()).upper()
    return compact[:-3] if len(compact) > 3 else compact


def distance_km(
    a: tuple[Decimal | float, Decimal | float], b: tuple[Decimal | float, Decimal | float]
) -> float:
    """The great-circle distance between two (latitude, longitude) points in degrees."""
    lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def travel_minutes(distance: float, *, road_factor: float, speed_kmh: float) -> int:
    """Minutes by road, estimated: the straight line times the road factor at the speed,
    rounded to the nearest minute."""
    return round(distance * road_factor / speed_kmh * 60)
