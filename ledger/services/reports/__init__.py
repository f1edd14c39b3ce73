"""Reports for the bureau (`ledger report`, docs/reports.md): what the claims paid, and the
books' trial balance. Read-only, set-based: one grouped query per report, money summed in
fen by the database and handed out as Yuan.

    funds(uow, start, end, region=None, by=())   -> Report: 人次, people and money, by group
    balance(uow, start, end)                     -> Report: each book's opening, movements, closing
    mutual_aid(uow, start, end, region=None)     -> Report: relatives' accounts paying, by relation
    caps(uow, start, end, region=None)           -> Report: the year's counters, cap use by tenth
    incentives(uow, year, region=None)           -> Report: what the rollover into `year` worked out
    accounts(uow, on, region=None)               -> Report: personal accounts by region and status
    places(uow, start, end, region=None)         -> Report: platform records' claims by area of treatment
"""

from .books import BALANCE_FIGURES, accounts, balance, incentives
from .claims import DECILES, MUTUAL_AID_FIGURES, caps, mutual_aid
from .funds import FUND_FIGURES, GROUPS, check_groups, funds
from .places import PLACE_FIGURES, places
from .report import Report

__all__ = [
    "BALANCE_FIGURES", "DECILES", "FUND_FIGURES", "GROUPS", "MUTUAL_AID_FIGURES", "Report", "accounts", "balance",
    "caps", "check_groups", "funds", "incentives", "mutual_aid", "PLACE_FIGURES", "places",
]  # fmt: skip
