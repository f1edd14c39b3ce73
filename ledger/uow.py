"""Unit of work: one database transaction per use case.

Services open `with uow:` and call `uow.commit()` when everything is validated and written;
leaving the block any other way rolls back, so an error never leaves half a write. Build
the result before committing: a read after the commit would open a second transaction.
"""

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .db.engine import READ_ONLY, make_engine


class UnitOfWork:
    session: Session

    def __init__(self, engine: Engine):
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False, autoflush=True)
        self._read_factory = sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
        self._reading = False

    def read_only(self) -> "UnitOfWork":
        """`with uow.read_only():` for a service that only reads (it must not write)."""
        self._reading = True
        return self

    @classmethod
    def from_url(cls, url: str) -> "UnitOfWork":
        return cls(make_engine(url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __enter__(self) -> "UnitOfWork":
        factory = self._read_factory if self._reading else self._factory
        self._reading = False
        self.session = factory()
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
