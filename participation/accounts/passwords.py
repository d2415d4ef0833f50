"""Passwords: hashing with argon2 (argon2-cffi, the cost from the configuration), and what a
new password must be (long enough, not common, not made of the person's name or address)."""

import contextlib
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from zxcvbn import zxcvbn

# Verified against when an e-mail is unknown, so that sign-in takes as long either way.
_DUMMY_HASH: dict[tuple[int, int], str] = {}


def _hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=current_app.config["ARGON2_TIME_COST"],
        memory_cost=current_app.config["ARGON2_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    if not password_hash:
        key = (hasher.time_cost, hasher.memory_cost)
        if key not in _DUMMY_HASH:
            _DUMMY_HASH[key] = hasher.hash("not a real password")
        password_hash, password = _DUMMY_HASH[key], password + "x"
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(password_hash, password)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


# --- choosing a password (ASVS V6) -----------------------------------------------------------

# Long passphrases are welcome: 256 characters is far above what anyone types, and bounds the
# hashing work a request can ask for.
PASSWORD_MAX_LENGTH = 256
# zxcvbn reads at most this many characters; a longer password is strong for its length alone.
_CHECKED_LENGTH = 72
# Below this zxcvbn score (0–4) a password falls to an online or a slow offline attack.
_MIN_SCORE = 3
# Words anyone would try first against this site.
_SITE_WORDS = ("bethune", "béthune", "bethune2032", "participation", "concertation", "smartcity")


def _personal_words(user_inputs) -> list[str]:
    """The person's name and address, whole and in pieces, as zxcvbn's user inputs."""
    words = set(_SITE_WORDS)
    for value in user_inputs:
        value = (value or "").strip().lower()
        if not value:
            continue
        words.add(value)
        local, _at, domain = value.partition("@")
        words.update({local, domain.split(".")[0]} - {""})
        words.update(piece for piece in re.split(r"[\W_]+", value) if len(piece) >= 3)
    return sorted(words)


def _covered(password: str, words: list[str]) -> float:
    """The share of ``password``'s characters that spell one of ``words`` (in any case)."""
    lowered = password.lower()
    covered = [False] * len(lowered)
    for word in words:
        start = lowered.find(word)
        while start != -1:
            covered[start : start + len(word)] = [True] * len(word)
            start = lowered.find(word, start + 1)
    return sum(covered) / len(lowered)


def password_problem(password: str, user_inputs=()) -> str | None:
    """Why ``password`` may not be chosen (a translated sentence), or None.

    At least PASSWORD_MIN_LENGTH characters and no composition rule (ANSSI, NIST SP 800-63B);
    refused when zxcvbn finds it guessable, when it is mostly one of the most common passwords,
    or mostly the person's name or e-mail address (``user_inputs``).
    """
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        return _("Choose a password of at least %(num)d characters.", num=minimum)
    if len(password) > PASSWORD_MAX_LENGTH:
        return _("Choose a password of at most %(num)d characters.", num=PASSWORD_MAX_LENGTH)
    checked = password[:_CHECKED_LENGTH]
    words = _personal_words(user_inputs)
    result = zxcvbn(checked, user_inputs=words)

    def share(dictionary: str) -> float:
        found = sum(
            len(match["token"])
            for match in result["sequence"]
            if match["pattern"] == "dictionary" and match.get("dictionary_name") == dictionary
        )
        return found / len(checked)

    if _covered(checked, words) >= 0.5:
        return _(
            "This password is built from your name, your e-mail address or the name of this "
            "site: choose one that nobody could guess from them."
        )
    if result["score"] >= _MIN_SCORE:
        return None
    if share("passwords") >= 0.5:
        return _(
            "This password is among the most used ones, which attackers try first. Choose "
            "another: a few words that only you would put together make a good one."
        )
    return _(
        "This password is too easy to guess (a common word, a sequence or a repetition). "
        "Choose another: a few words that only you would put together make a good one."
    )
