"""Password hashing (argon2 via pwdlib) and access tokens (JWT via PyJWT)."""

from datetime import timedelta
from functools import lru_cache
from typing import Any

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from app.core.config import get_settings
from app.core.db import utcnow

ALGORITHM = "HS256"

# Passwords a clerk might pick that every cracking list tries first. The length rule
# removes most of the classic lists; these survive it.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "password1234",
        "password12345",
        "qwertyuiopas",
        "qwerty123456",
        "111111111111",
        "000000000000",
        "aaaaaaaaaaaa",
        "abcdefghijkl",
        "iloveyou1234",
        "welcome12345",
        "administrator",
        "passwordpassword",
        "letmein12345",
        "changeme1234",
        "thessaloniki",
        "thessaloniki1",
        "athens123456",
        "dimos1234567",
        "123456123456",
        "abc123abc123",
        "qwertyqwerty",
        "1q2w3e4r5t6y",
        "zaq12wsxcde3",
    }
)
MIN_PASSWORD_LENGTH = 12


@lru_cache
def _hasher() -> PasswordHash:
    s = get_settings()
    return PasswordHash(
        (Argon2Hasher(time_cost=s.argon2_time_cost, memory_cost=s.argon2_memory_kib),)
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher().verify(password, password_hash)


# Compared against when the username is unknown, so that a miss costs as much as a hit.
@lru_cache
def dummy_hash() -> str:
    return hash_password("not-a-real-password-" + "x" * 16)


def password_problems(password: str, *, username: str = "") -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"must be at least {MIN_PASSWORD_LENGTH} characters long")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) <= 2:
        problems.append("is too common: choose another")
    if username and username.lower() in lowered:
        problems.append("must not contain the username")
    return problems


def create_access_token(*, user_id: int, epoch: int) -> tuple[str, int]:
    s = get_settings()
    expires_in = s.access_token_minutes * 60
    now = utcnow()
    claims = {
        "sub": str(user_id),
        "ep": epoch,
        "iat": now,
        "exp": now + timedelta(seconds=expires_in),
    }
    return jwt.encode(claims, s.secret_key, algorithm=ALGORITHM), expires_in


def decode_access_token(token: str) -> dict[str, Any]:
    """Claims of a valid token; raises jwt.PyJWTError when expired, forged or malformed."""
    return jwt.decode(
        token,
        get_settings().secret_key,
        algorithms=[ALGORITHM],
        options={"require": ["sub", "exp", "iat"]},
    )
