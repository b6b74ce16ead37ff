"""Who may do what: viewers read, editors write, admins also manage users.

Passwords are stored only as argon2 hashes. Every write names its actor: a signed-in user, or
an actor with no user id for the process itself (SYSTEM for the command line and the reference
data; the seed loader has its own), which runs with the database owner's rights. A signed-in
user's rights are read from the database again at every write, so demoting or deactivating a
user, or changing their password, takes effect at once, even in a session they already have
open. Repeated failed sign-ins slow further tries down.

A sign-in outlasts a page reload through a row of its own (`SignIn`), found by a random token
the browser keeps in an http-only cookie. Only the token's hash is stored, so a copy of the
database signs nobody in; the row expires after SIGN_IN_LENGTH, and signing out deletes it,
which ends the sign-in on the server, not just in one browser tab.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import ClassVar

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, field_validator
from sqlmodel import Field, Session, select

from tracker.errors import TrackerError
from tracker.schema import Table, unstorable, utcnow, vocabulary

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
    changes_data: ClassVar[bool] = False  # users are read fresh, never from the data cache

    name: str = Field(min_length=1, max_length=100, unique=True)
    password_hash: str = Field(max_length=200)
    role: Role = Field(default=Role.VIEWER, sa_type=vocabulary(Role, "role"))
    active: bool = True
    password_version: int = Field(
        default=1,
        sa_column_kwargs={"server_default": "1"},
        description="moves whenever the password changes, which ends every sign-in made before",
    )


class SignInFailure(Table, table=True):
    """A failed sign-in, kept for a while to slow down whoever guesses passwords."""

    __tablename__ = "sign_in_failure"
    changes_data: ClassVar[bool] = False

    name: str = Field(max_length=100, index=True)
    client: str | None = Field(default=None, max_length=100, index=True)


# How long a sign-in lasts, and how soon after it the browser must trade its one-time code for
# the cookie (at once, in practice: the signed-in page does it).
SIGN_IN_LENGTH = timedelta(hours=12)
CLAIM_WINDOW = timedelta(minutes=2)
SIGN_IN_COOKIE = "tracker_sign_in"


class SignIn(Table, table=True):
    """A sign-in that outlasts a page reload. It starts with a one-time code the signed-in page
    hands to the browser, which trades it for the token its cookie keeps: a page's script
    cannot set an http-only cookie, an HTTP response can. Either hash is stored, never a secret
    itself."""

    __tablename__ = "sign_in"
    __table_args__ = (
        sa.CheckConstraint("(code_hash IS NULL) <> (token_hash IS NULL)", name="code_or_token"),
    )
    changes_data: ClassVar[bool] = False

    user_id: int = Field(foreign_key="user_account.id", ondelete="CASCADE", index=True)
    password_version: int = Field(description="the user's, when they signed in")
    code_hash: str | None = Field(default=None, max_length=64, unique=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))


class Actor(BaseModel):
    """Who is acting: what the services need to know of a user."""

    model_config = {"frozen": True}

    id: int | None
    name: str
    role: Role
    password_version: int = 1
    sign_in_id: int | None = None  # the SignIn this actor acts through, if any

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.EDITOR, Role.ADMIN)

    @property
    def can_manage_users(self) -> bool:
        return self.role is Role.ADMIN


SYSTEM = Actor(id=None, name="system", role=Role.ADMIN)


class NotAllowed(TrackerError):
    """The actor's role does not allow the action."""


class SignedOut(TrackerError):
    """The actor's sign-in no longer holds: deactivated, or the password changed since."""


def refresh(*, session: Session, actor: Actor) -> Actor:
    """ACTOR as the database has them now (their current role), or SignedOut if they were
    deactivated or their password changed after they signed in. Actors with no user id act
    for the process itself (the command line, seeds) and are taken as they are."""
    if actor.id is None:
        return actor
    user = session.get(User, actor.id, populate_existing=True)
    if user is None:
        raise SignedOut(f"there is no user {actor.name} in this database: sign in again")
    if not user.active:
        raise SignedOut(f"{actor.name} can no longer sign in: an admin deactivated the account")
    if user.password_version != actor.password_version:
        raise SignedOut(f"the password of {actor.name} was changed: sign in again")
    if actor.sign_in_id is not None:
        kept = session.get(SignIn, actor.sign_in_id, populate_existing=True)
        if kept is None:
            raise SignedOut("this sign-in was ended, in this window or another")
        if _as_utc(kept.expires_at) <= utcnow():
            hours = SIGN_IN_LENGTH / timedelta(hours=1)
            raise SignedOut(f"a sign-in lasts {hours:g} hours, and this one is over: sign in again")
    if user.role != actor.role:
        return actor.model_copy(update={"role": user.role})
    return actor


def require_editor(*, session: Session, actor: Actor | None) -> Actor:
    """ACTOR as they are now, if they may change records; otherwise a refusal in words."""
    return _require(session, actor, lambda who: who.can_edit, "only editors can change records")


def require_admin(*, session: Session, actor: Actor | None) -> Actor:
    """ACTOR as they are now, if they may manage users; otherwise a refusal in words."""
    return _require(
        session, actor, lambda who: who.can_manage_users, "only admins can manage users"
    )


def _require(
    session: Session, actor: Actor | None, may: Callable[[Actor], bool], rule: str
) -> Actor:
    if actor is not None:
        actor = refresh(session=session, actor=actor)
    if actor is None or not may(actor):
        who = (
            "you are not signed in"
            if actor is None
            else f"{actor.name} is {actor.role.with_article}"
        )
        raise NotAllowed(f"{rule}, and {who}")
    return actor


def _printable(text: str) -> bool:
    return not any(unicodedata.category(character) == "Cc" for character in text)


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
        if len(name) > 100:
            raise ValueError(f"a name has at most 100 characters, and this one has {len(name)}")
        if not _printable(name):
            raise ValueError("a name cannot hold control characters such as tabs or NUL")
        return name

    @field_validator("password")
    @classmethod
    def _password(cls, password: str) -> str:
        return check_password(password)


def check_password(password: str) -> str:
    """PASSWORD, if it is good enough to keep; otherwise ValueError saying why."""
    if len(password.strip()) < 10:
        raise ValueError("a password needs at least 10 characters, not counting spaces at its ends")
    if not _printable(password):
        raise ValueError("a password cannot hold control characters such as tabs or NUL")
    if len(password) > 1000:
        raise ValueError("a password has at most 1,000 characters")
    return password


def _user(session: Session, name: str) -> User | None:
    name = name.strip()
    if len(name) > 100 or unstorable(name):  # no such user could exist
        return None
    return session.exec(select(User).where(User.name == name)).first()


def _named(session: Session, name: str) -> User:
    user = _user(session, name)
    if user is None:
        raise TrackerError(f"there is no user called {name.strip()!r}")
    return user


def add_user(*, session: Session, actor: Actor | None, user: NewUser, reset: bool = False) -> User:
    """Create USER (admins only). A user of that name already there is refused, unless RESET:
    then their password and role become USER's and they are made active; a new password ends
    their sign-ins made before."""
    require_admin(session=session, actor=actor)
    stored = _user(session, user.name)
    if stored is not None and not reset:
        raise TrackerError(
            f"a user called {stored.name!r} exists already: nothing was changed (to give them "
            "a new password and role, reset them on purpose)"
        )
    if stored is None:
        stored = User(name=user.name, password_hash=_hasher.hash(user.password))
    elif not _matches(stored, user.password):
        stored.password_hash = _hasher.hash(user.password)
        stored.password_version += 1
        _end_sign_ins(session, stored)
    stored.role, stored.active = user.role, True
    session.add(stored)
    session.flush()
    return stored


def change_password(*, session: Session, actor: Actor | None, current: str, new: str) -> Actor:
    """Give the signed-in ACTOR the password NEW, if CURRENT is theirs. Every other sign-in
    of theirs ends; the returned actor carries this one on."""
    actor = refresh(session=session, actor=actor) if actor is not None else None
    user = session.get(User, actor.id) if actor is not None and actor.id is not None else None
    if actor is None or user is None:
        raise NotAllowed("only a signed-in user can change their password")
    if not _matches(user, current):
        raise TrackerError("the current password is not right: nothing was changed")
    user.password_hash = _hasher.hash(check_password(new))
    user.password_version += 1
    session.add(user)
    _end_sign_ins(session, user, keeping=actor.sign_in_id)
    session.flush()
    return actor.model_copy(update={"password_version": user.password_version})


def set_active(*, session: Session, actor: Actor | None, name: str, active: bool) -> User:
    """Deactivate the user NAME (they cannot sign in, and any session they have open ends at
    its next step), or reactivate them (admins only)."""
    actor = require_admin(session=session, actor=actor)
    user = _named(session, name)
    if not active and user.id == actor.id:
        raise NotAllowed("you cannot deactivate yourself: ask another admin")
    user.active = active
    session.add(user)
    if not active:
        _end_sign_ins(session, user)
    session.flush()
    return user


def _end_sign_ins(session: Session, user: User, *, keeping: int | None = None) -> None:
    """End USER's sign-ins, all but KEEPING, which goes on with their password as it is now."""
    session.execute(
        sa.delete(SignIn).where(SignIn.user_id == user.id, SignIn.id.is_distinct_from(keeping))
    )
    session.execute(
        sa.update(SignIn).where(SignIn.id == keeping).values(password_version=user.password_version)
    )


def _matches(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# After FREE_TRIES failures within WINDOW, each further try waits FIRST_WAIT, doubling with
# each failure up to LONGEST_WAIT, counted from the last failure; a success forgives the name.
WINDOW = timedelta(minutes=15)
FREE_TRIES_PER_NAME = 5
FREE_TRIES_PER_CLIENT = 20
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(minutes=15)


class TooManyTries(TrackerError):
    """Sign-in refused for a while after repeated failures."""


def _wait(session: Session, column: sa.Column, value: str, free: int, now: datetime) -> timedelta:
    """How long a sign-in for VALUE (a name or a client) must still wait."""
    failures, last = session.exec(
        sa.select(sa.func.count(), sa.func.max(SignInFailure.created_at)).where(
            column == value, SignInFailure.created_at > now - WINDOW
        )
    ).one()
    if failures < free:
        return timedelta()
    wait = min(FIRST_WAIT * 2 ** (failures - free), LONGEST_WAIT)
    return max(timedelta(), _as_utc(last) + wait - now)


def _as_utc(moment: datetime) -> datetime:
    # SQLite gives back times without their zone; they were written in UTC.
    # PostgreSQL gives them in the connection's zone, which an HTTP cookie cannot carry.
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _in_words(wait: timedelta) -> str:
    seconds = max(1, round(wait.total_seconds()))
    return f"{seconds} seconds" if seconds < 120 else f"{round(seconds / 60)} minutes"


def authenticate(
    *,
    session: Session,
    name: str,
    password: str,
    client: str | None = None,
    now: datetime | None = None,
) -> Actor:
    """The actor NAME signs in as, if PASSWORD is theirs; the same refusal otherwise, so a
    wrong name cannot be told from a wrong password. After repeated failures for a name, or
    from one CLIENT (an address), sign-in is refused for a while, even with the right password,
    and the refusal says how long to wait. Failures are committed whatever the caller does."""
    now = now or utcnow()
    label = name.strip()[:100].replace("\x00", "")
    client = client[:100] if client else None
    session.execute(sa.delete(SignInFailure).where(SignInFailure.created_at <= now - WINDOW))
    waits = [
        ("for this name", _wait(session, SignInFailure.name, label, FREE_TRIES_PER_NAME, now)),
        *(
            [
                (
                    "from this address",
                    _wait(session, SignInFailure.client, client, FREE_TRIES_PER_CLIENT, now),
                )
            ]
            if client
            else []
        ),
    ]
    for whom, wait in waits:
        if wait:
            session.commit()
            raise TooManyTries(f"too many failed sign-ins {whom}: try again in {_in_words(wait)}")
    user = _user(session, name)
    if user is None or not user.active:
        _hasher.hash(password)  # spend the same time as a real check
        matched = False
    else:
        matched = _matches(user, password)
    if not matched:
        session.add(SignInFailure(name=label, client=client, created_at=now, updated_at=now))
        session.commit()
        raise TrackerError("that name and password do not match an active user")
    session.execute(sa.delete(SignInFailure).where(SignInFailure.name == label))
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        session.add(user)
    session.commit()
    return Actor(id=user.id, name=user.name, role=user.role, password_version=user.password_version)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def sign_in(
    *,
    session: Session,
    name: str,
    password: str,
    client: str | None = None,
    now: datetime | None = None,
) -> tuple[Actor, str]:
    """Authenticate NAME (see `authenticate`) and begin a sign-in that outlasts a page reload.
    Returns the actor, acting through it, and the one-time code the browser trades for its
    cookie (`keep_sign_in`). Commits."""
    now = now or utcnow()
    actor = authenticate(session=session, name=name, password=password, client=client, now=now)
    session.execute(sa.delete(SignIn).where(SignIn.expires_at <= now))
    code = secrets.token_urlsafe(32)
    kept = SignIn(
        user_id=actor.id,
        password_version=actor.password_version,
        code_hash=_digest(code),
        expires_at=now + SIGN_IN_LENGTH,
        created_at=now,
        updated_at=now,
    )
    session.add(kept)
    session.commit()
    return actor.model_copy(update={"sign_in_id": kept.id}), code


def keep_sign_in(
    *, session: Session, code: str, now: datetime | None = None
) -> tuple[str, datetime]:
    """The token for the browser's cookie, and when it expires, in exchange for the one-time
    CODE `sign_in` gave; a code works once, and only within CLAIM_WINDOW."""
    now = now or utcnow()
    kept = session.exec(select(SignIn).where(SignIn.code_hash == _digest(code))).first()
    if kept is None or _as_utc(kept.created_at) <= now - CLAIM_WINDOW:
        raise TrackerError("that sign-in code is unknown, used or too old: sign in again")
    token = secrets.token_urlsafe(32)
    kept.code_hash, kept.token_hash = None, _digest(token)
    session.add(kept)
    session.flush()
    return token, _as_utc(kept.expires_at)


def resume_sign_in(*, session: Session, token: str, now: datetime | None = None) -> Actor | None:
    """The actor the kept sign-in TOKEN belongs to, as they are now; None once it expired or
    ended, or its user was deactivated or changed their password since."""
    now = now or utcnow()
    kept = session.exec(select(SignIn).where(SignIn.token_hash == _digest(token))).first()
    if kept is None or _as_utc(kept.expires_at) <= now:
        return None
    user = session.get(User, kept.user_id)
    if user is None or not user.active or user.password_version != kept.password_version:
        return None
    return Actor(
        id=user.id,
        name=user.name,
        role=user.role,
        password_version=user.password_version,
        sign_in_id=kept.id,
    )


def end_sign_in(*, session: Session, actor: Actor | None) -> None:
    """Sign ACTOR out: the sign-in they act through ends, in every tab and window it reached."""
    if actor is not None and actor.sign_in_id is not None:
        session.execute(sa.delete(SignIn).where(SignIn.id == actor.sign_in_id))


class UserPublic(BaseModel):
    """A user as the Users page lists them."""

    name: str
    role: Role
    active: bool


def list_users(*, session: Session) -> list[UserPublic]:
    """Every user, active or not, by name."""
    return [
        UserPublic(name=user.name, role=user.role, active=user.active)
        for user in session.exec(select(User).order_by(User.name))
    ]


SIGN_IN_VARIABLE = "TRACKER_REQUIRE_SIGN_IN"


def reading_requires_sign_in() -> bool:
    """Whether this deployment asks even readers to sign in ($TRACKER_REQUIRE_SIGN_IN=1)."""
    return os.environ.get(SIGN_IN_VARIABLE, "").strip().lower() in ("1", "true", "yes")
