"""Private-link tokens: 256 random bits given once to their owner, stored only as a hash."""
import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh (token, hash) pair; the token goes in the email, the hash in the database."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
