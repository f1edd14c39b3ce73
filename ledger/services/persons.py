"""Registering persons, enrolling them per year, and reading them back."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import Account, Enrollment, Person, PersonDeath, utcnow
from ..db.retry import attempt, retried
from ..db.sql import one_of
from ..errors import Conflict, LedgerError, ValidationError
from ..i18n import _
from ..rules.idcard import mask
from ..rules.money import Yuan
from ..rules.persons import NewPerson, check_year, new_person
from ..rules.text import REASON_LENGTH, check_text
from ..uow import UnitOfWork
from .records import audit, effective_date, get_person


@retried
def add_person(uow: UnitOfWork, operator: str, **fields) -> dict:
    """Register one person; employees get a personal account with balance 0."""
    candidate = new_person(**fields)
    with uow:
        _refuse_existing(uow.session, [candidate.psn_no])
        _insert(uow.session, [candidate], operator, "person.add")
        view = person_view(uow.session, get_person(uow.session, candidate.psn_no))
        uow.commit()
        return view


@dataclass(frozen=True)
class RowError:
    line: int
    psn_no: str
    message: str

    def __str__(self) -> str:
        who = f" ({mask(self.psn_no)})" if self.psn_no else ""
        return _("line {line}{who}: {message}").format(line=self.line, who=who, message=self.message)


class ImportRejected(LedgerError):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(
            _("{count} row(s) rejected, nothing imported:\n").format(count=len(errors))
            + "\n".join(str(e) for e in errors)
        )


def import_persons(uow: UnitOfWork, operator: str, rows: Iterable[tuple[int, dict]]) -> int:
    """Register many persons at once, all or nothing: every bad row is reported (line and
    message) and nothing is written unless every row is good. A partial import of a
    population register would leave the bureau to work out which half landed."""
    good: list[NewPerson] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        psn_no = str(row.get("psn_no") or "").strip().upper()
        try:
            p = new_person(**_import_fields(row))
        except LedgerError as e:
            errors.append(RowError(line, psn_no, str(e)))
            continue
        if p.psn_no in seen:
            errors.append(RowError(line, p.psn_no, _("psn_no: repeats line {seen}").format(seen=seen[p.psn_no])))
            continue
        seen[p.psn_no] = line
        good.append(p)

    def store() -> int:
        with uow:
            existing = set(uow.session.scalars(select(Person.psn_no).where(one_of(uow.session, Person.psn_no, seen))))
            found = errors + [
                RowError(seen[p], p, _("psn_no: is already registered")) for p in sorted(existing, key=seen.get)
            ]
            if found:
                raise ImportRejected(sorted(found, key=lambda e: e.line))
            _insert(uow.session, good, operator, "person.import")
            uow.commit()
        return len(good)

    return attempt(store, "import_persons")


IMPORT_COLUMNS = ("psn_no", "name", "insutype", "psn_type", "resident_category", "region", "enrolled")
_IMPORT_KEYS = set(IMPORT_COLUMNS)


def _import_fields(row: dict) -> dict:
    unknown = set(row) - _IMPORT_KEYS
    if unknown:
        raise ValidationError(
            sorted(unknown)[0],
            _("unknown column; expected {import_keys}").format(import_keys=", ".join(sorted(_IMPORT_KEYS))),
        )
    fields = dict(row)
    enrolled = fields.get("enrolled")
    if enrolled is None or enrolled == "":
        fields["enrolled"] = []
    elif isinstance(enrolled, str):  # CSV: years joined by ';'
        fields["enrolled"] = [y for y in enrolled.split(";") if y.strip()]
    elif isinstance(enrolled, int):
        fields["enrolled"] = [enrolled]
    elif not isinstance(enrolled, list):
        raise ValidationError("enrolled", _("must be a list of years, or years joined by ';'"))
    for k in ("psn_no", "name", "insutype", "psn_type", "resident_category", "region"):
        v = fields.get(k)
        if v is not None and not isinstance(v, str):
            if isinstance(v, int) and not isinstance(v, bool):
                fields[k] = str(v)  # JSON writers often emit 310 or 220700 as numbers
            else:
                raise ValidationError(k, _("expected text, got {v!r}").format(v=v))
    fields.setdefault("name", "")
    fields.setdefault("insutype", "")
    fields.setdefault("psn_no", "")
    return fields


@retried
def enroll(uow: UnitOfWork, operator: str, psn_no: str, year: int, on: date | None = None) -> dict:
    """Enroll a person for `year`, paid on `on` (default today; never in the future)."""
    year = check_year(year)
    on = effective_date(on)
    with uow:
        person = get_person(uow.session, psn_no)
        if uow.session.scalar(select(Enrollment.id).where(Enrollment.psn_no == person.psn_no, Enrollment.year == year)):
            raise Conflict(
                _("year: {psn_no} is already enrolled for {year}").format(psn_no=mask(person.psn_no), year=year)
            )
        uow.session.add(Enrollment(psn_no=person.psn_no, year=year, enrolled_on=on))
        audit(uow.session, operator=operator, action="person.enroll", subject=person.psn_no, year=year, enrolled_on=on)
        view = person_view(uow.session, person)
        uow.commit()
        return view


def show_person(uow: UnitOfWork, psn_no: str) -> dict:
    with uow.read_only():
        return person_view(uow.session, get_person(uow.session, psn_no))


def person_view(session: Session, p: Person) -> dict:
    acct = session.scalar(select(Account).where(Account.psn_no == p.psn_no))
    years = list(
        session.scalars(select(Enrollment.year).where(Enrollment.psn_no == p.psn_no).order_by(Enrollment.year))
    )
    died_on = session.scalar(select(PersonDeath.died_on).where(PersonDeath.psn_no == p.psn_no))
    return {
        "psn_no": p.psn_no,
        "name": p.name,
        "insutype": p.insutype,
        "psn_type": p.psn_type,
        "resident_category": p.resident_category,
        "region": p.region,
        "birth_date": p.birth_date,
        "sex": p.sex,
        "enrolled": years,
        "balance": None if acct is None else Yuan(acct.balance),
        "died_on": died_on,
    }


def _refuse_existing(session: Session, psn_nos: list[str]) -> None:
    existing = session.scalars(select(Person.psn_no).where(one_of(session, Person.psn_no, psn_nos))).first()
    if existing is not None:
        raise Conflict(_("psn_no: {existing} is already registered").format(existing=mask(existing)))


def _insert(session: Session, people: list[NewPerson], operator: str, action: str) -> None:
    # Core inserts: an import of a city's register must not be one ORM round trip per row.
    if not people:
        return
    session.execute(
        Person.__table__.insert(),
        [
            {
                "psn_no": p.psn_no,
                "name": p.name,
                "insutype": p.insutype,
                "psn_type": p.psn_type,
                "resident_category": p.resident_category,
                "region": p.region,
                "birth_date": p.birth_date,
                "sex": p.sex,
                "created_at": utcnow(),
            }
            for p in people
        ],
    )
    accounts = [{"psn_no": p.psn_no, "balance": 0, "opened_at": utcnow()} for p in people if p.has_account]
    if accounts:
        session.execute(Account.__table__.insert(), accounts)
    enrollments = [{"psn_no": p.psn_no, "year": y, "created_at": utcnow()} for p in people for y in p.enrolled]
    if enrollments:
        session.execute(Enrollment.__table__.insert(), enrollments)
    if action == "person.import":
        audit(session, operator=operator, action=action, subject=None, count=len(people))
    else:
        (p,) = people
        audit(
            session,
            operator=operator,
            action=action,
            subject=p.psn_no,
            insutype=p.insutype,
            psn_type=p.psn_type,
            resident_category=p.resident_category,
            region=p.region,
            enrolled=list(p.enrolled),
        )


@retried
def record_death(uow: UnitOfWork, operator: str, psn_no: str, died_on: date, reason: str) -> dict:
    """A person's date of death, as the bureau learnt it (`reason`: where from). Recorded once:
    settlements dated after it are what `ledger monitor` rule R01 finds."""
    reason = check_text(reason, "reason", max_length=REASON_LENGTH)
    died_on = effective_date(died_on)
    with uow:
        s = uow.session
        p = get_person(s, psn_no)
        if died_on < p.birth_date:
            raise ValidationError(
                "--date",
                _("{died_on} is before the person was born ({born})").format(died_on=died_on, born=p.birth_date),
            )
        known = s.scalar(select(PersonDeath.died_on).where(PersonDeath.psn_no == p.psn_no))
        if known is not None:
            raise Conflict(
                _("psn_no: the death of {psn} is recorded already ({died_on})").format(
                    psn=mask(p.psn_no), died_on=known
                )
            )
        s.execute(
            PersonDeath.__table__.insert().values(
                psn_no=p.psn_no, died_on=died_on, reason=reason, operator=operator, created_at=utcnow()
            )
        )
        audit(s, operator=operator, action="person.death", subject=p.psn_no, reason=reason, died_on=died_on.isoformat())
        uow.commit()
        return {"psn_no": p.psn_no, "name": p.name, "died_on": died_on, "reason": reason}
