"""Europe/Paris wall-clock times and the naive UTC the database stores."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_to_utc(local: datetime) -> datetime:
    """A naive Europe/Paris wall-clock time as the naive UTC the models store.

    Around the clock changes, zoneinfo's rule (fold=0) applies: a time skipped in spring
    (02:30 on the last Sunday of March) counts as the same time in winter offset, i.e. 03:30
    summer time; a time that happens twice in autumn means its first occurrence (summer time).
    """
    return local.replace(tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)


def utc_to_paris(moment: datetime) -> datetime:
    """A stored naive UTC time as the naive Europe/Paris wall-clock time people read."""
    return moment.replace(tzinfo=UTC).astimezone(PARIS).replace(tzinfo=None)
