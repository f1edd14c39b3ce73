"""The words a table is headed and filled with, where a code stands for them: each column's
name (the field as scripts and the national interface spell it) and the codes a table says
(a claim's status, a binding's relation, a book). In English the heading or code is shown
as it is; in Chinese, as the catalog says it. JSON and CSV always keep the codes."""

from ..i18n import N_

# Every column a table of the ledger heads, keyed by its name in CSV and JSON. In English the
# heading is the name itself, as scripts and the national interface spell it; in Chinese it
# is the catalog's label for it.
HEADINGS = (
    N_("setl_id"),
    N_("service_date"),
    N_("psn_no"),
    N_("name"),
    N_("med_type"),
    N_("hosp_lv"),
    N_("fixmedins_code"),
    N_("bucket"),
    N_("medfee_sumamt"),
    N_("fund_pay_sumamt"),
    N_("acct_pay"),
    N_("acct_mulaid_pay"),
    N_("psn_cash_pay"),
    N_("status"),
    N_("insutype"),
    N_("psn_type"),
    N_("resident_category"),
    N_("region"),
    N_("enrolled"),
    N_("balance"),
    N_("id"),
    N_("holder"),
    N_("holder_name"),
    N_("member"),
    N_("member_name"),
    N_("relation"),
    N_("bound_on"),
    N_("ended_on"),
    # the reports' columns (docs/reports.md)
    N_("month"),
    N_("level"),
    N_("institution"),
    N_("claims"),
    N_("people"),
    N_("hifp_pay"),
    N_("hifmi_pay"),
    N_("hifob_pay"),
    N_("other_funds_pay"),
    N_("book"),
    N_("opening"),
    N_("received"),
    N_("paid"),
    N_("movement"),
    N_("closing"),
    N_("kind"),
    N_("item"),
    N_("amount"),
    N_("accounts"),
    N_("empty"),
    N_("period"),
    N_("holders"),
    N_("members"),
    N_("payments"),
    N_("year"),
    N_("at cap"),
    N_("fund_paid"),
    N_("deductible_met"),
)


# The codes a table says in the run's language (`print_listing`'s `said`): a claim's status,
# a binding's role and relation (docs/cli.md). JSON and CSV keep the codes.
CODES = (
    N_("posted"),
    N_("reversed"),
    N_("duplicate"),
    N_("rejected"),
    N_("holder"),
    N_("member"),
    N_("spouse"),
    N_("parent"),
    N_("child"),
    N_("sibling"),
    N_("grandparent"),
    N_("maternal_grandparent"),
    N_("grandchild"),
    N_("maternal_grandchild"),
    # the reports' row labels: a person's status, a book, a row's kind
    N_("total"),
    N_("in service"),
    N_("retired"),
    N_("resident"),
    N_("personal_account"),
    N_("account_funding"),
    N_("pooled_fund"),
    N_("patient_cash"),
    N_("provider"),
    N_("contribution_collection"),
    N_("major_illness_insurance"),
    N_("large_expense_subsidy"),
    N_("civil_servant_subsidy"),
    N_("supplementary_insurance"),
    N_("medical_assistance"),
    N_("other_funds"),
    N_("hospital_share"),
    N_("incentive"),
    N_("year_end"),
    N_("contributions"),
)

# The columns of a report whose codes a table (or the HTML page) says in the run's language.
SAID_COLUMNS = frozenset({"status", "book", "kind", "relation", "insutype"})
