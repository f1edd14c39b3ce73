"""Tables, one module per part of the books; every name is importable from here. Invariants
live in them too, as named constraints, so a bug elsewhere cannot write a negative balance,
an unbalanced book name or a second account for one person."""

from .archive import ArchivedBalance, ArchivedBook, ArchivedWallet, ArchivedYear
from .base import (
    BOOKS,
    INSUTYPES,
    NAMING,
    PSN_TYPES,
    RELATIONS,
    RESIDENT_CATEGORIES,
    Base,
    CreatedAt,
    Fen,
    Id,
    PsnNo,
    utcnow,
)
from .claims import BenefitUsage, ClaimMutualAid, ClaimRecord, ClaimReversal
from .institutions import Institution, OffsiteRegistration
from .journal import AuditRecord, ChainHead, Entry, Posting, StoredPolicyFile, VerifyRun
from .monitoring import FindingReview, MonitorFinding, MonitorRun, PersonDeath
from .persons import Account, ContributionPayment, Enrollment, FamilyBinding, Person
from .platform import ClaimSource, PlatformPerson
from .rollups import ClaimPerson, ClaimTotal
from .wallets import Wallet, WalletTransfer
from .year_end import MajorIllnessIncentive, MonthlyCredit, Rollover, YearEndDeduction

__all__ = [
    "Account",
    "ArchivedBalance",
    "ArchivedBook",
    "ArchivedWallet",
    "ArchivedYear",
    "AuditRecord",
    "BOOKS",
    "Base",
    "BenefitUsage",
    "ChainHead",
    "ClaimMutualAid",
    "ClaimPerson",
    "ClaimRecord",
    "ClaimReversal",
    "ClaimSource",
    "ClaimTotal",
    "ContributionPayment",
    "CreatedAt",
    "Enrollment",
    "Entry",
    "FamilyBinding",
    "FindingReview",
    "Fen",
    "INSUTYPES",
    "Id",
    "Institution",
    "MajorIllnessIncentive",
    "MonitorFinding",
    "MonitorRun",
    "MonthlyCredit",
    "NAMING",
    "OffsiteRegistration",
    "PSN_TYPES",
    "Person",
    "PersonDeath",
    "PlatformPerson",
    "Posting",
    "PsnNo",
    "RELATIONS",
    "RESIDENT_CATEGORIES",
    "Rollover",
    "StoredPolicyFile",
    "VerifyRun",
    "Wallet",
    "WalletTransfer",
    "YearEndDeduction",
    "utcnow",
]
