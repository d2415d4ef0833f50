"""Shared column helpers. Times are stored as naive UTC and shown in Europe/Paris."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
