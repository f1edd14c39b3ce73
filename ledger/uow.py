"""Unit of work: one database transaction per use case.

Services open `with uow:` and call `uow.commit()` when everything is validated and written;
leaving the block any other way rolls back, so an error never leaves half a write. Build
the result before committing: a read after the commit would open a second transaction.
"""

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .db import partitions, replica
from .db.engine import READ_ONLY, make_engine


class UnitOfWork:
    """`engine`: the database every write goes to. `read_engine`: a replica of it (a
    PostgreSQL hot standby) for the reads that may lag a moment behind: reports,
    monitoring, statements, `usage` and `verify` (docs/scale.md). Without one they read
    `engine` too. Before its first read it is proven to be a replica of `engine`
    (db/replica.py), or refused."""

    session: Session

    def __init__(self, engine: Engine, read_engine: Engine | None = None):
        self.engine = engine
        self.read_engine = read_engine
        self._factory = sessionmaker(engine, expire_on_commit=False, autoflush=True)
        self._read_factory = sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
        self._replica_factory = (
            sessionmaker(read_engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
            if read_engine is not None
            else self._read_factory
        )
        self._reading = None
        self._proven = read_engine is None

    def read_only(self, *, replica: bool = False) -> "UnitOfWork":
        """`with uow.read_only():` for a service that only reads (it must not write). With
        `replica`, on the read database if there is one: for a read that may be a moment
        behind the last write (a report, not the answer to a clerk's own posting)."""
        self._reading = self._replica_factory if replica else self._read_factory
        return self

    @classmethod
    def from_url(cls, url: str, read_url: str | None = None) -> "UnitOfWork":
        """A unit of work on the database at `url`; with `read_url`, its replica for the
        reads that may lag (see read_only)."""
        return cls(make_engine(url), make_engine(read_url) if read_url else None)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __enter__(self) -> "UnitOfWork":
        factory = self._reading or self._factory
        self._reading = None
        if factory is self._replica_factory and not self._proven:
            replica.prove(self.engine, self.read_engine)
            self._proven = True
        self.session = factory()
        return self

    def __exit__(self, kind, error, tb) -> None:
        self.session.rollback()
        self.session.close()
        year = partitions.missing_year(error) if error is not None else None
        if year is not None:
            # a write into a year PostgreSQL has no partitions for: made ahead, never here
            raise partitions.refusal(self.engine, year) from error

    def commit(self) -> None:
        self.session.commit()
