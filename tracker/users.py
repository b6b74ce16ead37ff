"""Who may do what: viewers read, editors write, admins also manage users.

Passwords are stored only as argon2 hashes. Every write names its actor: a signed-in user, or
SYSTEM for the command line and the seed loader, which run with the database owner's rights.
"""

from __future__ import annotations

import os
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, field_validator
from sqlmodel import Field, Session, select

from tracker.errors import TrackerError
from tracker.schema import Table, upsert, vocabulary

_hasher = PasswordHasher()


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def with_article(self) -> str:
        """ "a viewer", "an editor", "an admin"."""
        return f"{'an' if self.value[0] in 'aeiou' else 'a'} {self.value}"


class User(Table, table=True):
    __tablename__ = "user_account"

    name: str = Field(min_length=1, max_length=100, unique=True)
    password_hash: str = Field(max_length=200)
    role: Role = Field(default=Role.VIEWER, sa_type=vocabulary(Role, "role"))
    active: bool = True


class Actor(BaseModel):
    """Who is acting: what the services need to know of a user."""

    model_config = {"frozen": True}

    id: int | None
    name: str
    role: Role

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.EDITOR, Role.ADMIN)

    @property
    def can_manage_users(self) -> bool:
        return self.role is Role.ADMIN


SYSTEM = Actor(id=None, name="system", role=Role.ADMIN)


class NotAllowed(TrackerError):
    """The actor's role does not allow the action."""


def require_editor(actor: Actor | None) -> Actor:
    """ACTOR, if it may change records; otherwise a refusal in words."""
    if actor is None or not actor.can_edit:
        who = (
            "you are not signed in"
            if actor is None
            else f"{actor.name} is {actor.role.with_article}"
        )
        raise NotAllowed(f"only editors can change records, and {who}")
    return actor


class NewUser(BaseModel):
    name: str
    password: str
    role: Role = Role.VIEWER

    @field_validator("name")
    @classmethod
    def _name(cls, name: str) -> str:
        name = name.strip()
        if not name:
            raise ValueError("a user needs a name")
        return name

    @field_validator("password")
    @classmethod
    def _long_enough(cls, password: str) -> str:
        if len(password) < 10:
            raise ValueError("a password needs at least 10 characters")
        return password


def add_user(*, session: Session, actor: Actor, user: NewUser) -> User:
    """Create USER, or reset the password and role of the one with that name (admins only)."""
    if not actor.can_manage_users:
        raise NotAllowed(
            f"only admins can manage users, and {actor.name} is {actor.role.with_article}"
        )
    return upsert(
        session,
        User,
        {"name": user.name},
        {"password_hash": _hasher.hash(user.password), "role": user.role, "active": True},
    )


def authenticate(*, session: Session, name: str, password: str) -> Actor:
    """The actor NAME signs in as, if PASSWORD is theirs; the same refusal otherwise, so a
    wrong name cannot be told from a wrong password."""
    refusal = TrackerError("that name and password do not match an active user")
    user = session.exec(select(User).where(User.name == name.strip(), User.active)).first()
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
        raise refusal
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise refusal from None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
        session.commit()
    return Actor(id=user.id, name=user.name, role=user.role)


def list_users(*, session: Session) -> list[Actor]:
    return [
        Actor(id=user.id, name=user.name, role=user.role)
        for user in session.exec(select(User).where(User.active).order_by(User.name))
    ]


SIGN_IN_VARIABLE = "TRACKER_REQUIRE_SIGN_IN"


def reading_requires_sign_in() -> bool:
    """Whether this deployment asks even readers to sign in ($TRACKER_REQUIRE_SIGN_IN=1)."""
    return os.environ.get(SIGN_IN_VARIABLE, "").strip().lower() in ("1", "true", "yes")
