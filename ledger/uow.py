"""Unit of work: one database transaction per use case.

Services open `with uow:` and call `uow.commit()` when everything is validated and written;
leaving the block any other way rolls back, so an error never leaves half a write.
"""

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from .db.engine import make_engine


class UnitOfWork:
    session: Session

    def __init__(self, engine: Engine):
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False, autoflush=True)

    @classmethod
    def from_url(cls, url: str) -> "UnitOfWork":
        return cls(make_engine(url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def __enter__(self) -> "UnitOfWork":
        self.session = self._factory()
        return self

    def __exit__(self, *exc) -> None:
        self.session.rollback()
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
