"""An operator's policy file for claim tests: the numbers the Songyuan seed does not give
(RULES.md §1 "not in the seed"), chosen by the tests and stated here. Loaded on top of the
seed, effective 2025-01-01, so the seed's employee outpatient rules still apply.

    resident outpatient: deductible L1 50.00 / L2 100.00 / L3 200.00, ratio 60 / 55 / 50 %, cap 800.00
    resident inpatient: deductible L2 800.00, ratio L2 70 %            (cap 200000.00 from the seed)
    employee inpatient: deductible L2 1000.00, ratio L2 85 % in service, 88 % retired, cap 10000.00
    chronic list (both schemes): E11 diabetes cap 1200.00 ratio 60 %; I10 hypertension (no own
        cap or ratio: the scheme-wide 960.00 and 50 % apply); deductible L1 100.00
    special list: N18 renal failure cap 50000.00, at the inpatient ratio; deductible L2 0.00
    resident major illness: bands from 10000.00 at 60 %, from 50000.00 at 70 % (cap 400000.00 from the seed)
    employee large expense: bands from 5000.00 at 80 %; cap 100000.00
    pharmacy: employees pooled, residents not
"""

from tests.policy_text import policy_text

CLAIM_PARAMS = {
    "resident.outpatient.deductible.level1": '"50.00"',
    "resident.outpatient.deductible.level2": '"100.00"',
    "resident.outpatient.deductible.level3": '"200.00"',
    "resident.outpatient.ratio.level1": '"0.60"',
    "resident.outpatient.ratio.level2": '"0.55"',
    "resident.outpatient.ratio.level3": '"0.50"',
    "resident.outpatient.annual_cap": '"800.00"',
    "resident.inpatient.deductible.level2": '"800.00"',
    "resident.inpatient.ratio.level2": '"0.70"',
    "employee.inpatient.deductible.level2": '"1000.00"',
    "employee.inpatient.ratio.in_service.level2": '"0.85"',
    "employee.inpatient.ratio.retired.level2": '"0.88"',
    "employee.inpatient.annual_cap": '"10000.00"',
    "employee.chronic.diseases": '[{code = "E11", name = "糖尿病", annual_cap = "1200.00", ratio = "0.60"}, {code = "I10", name = "高血压"}]',
    "resident.chronic.diseases": '[{code = "E11", name = "糖尿病", annual_cap = "1200.00", ratio = "0.60"}, {code = "I10", name = "高血压"}]',
    "employee.chronic.annual_cap": '"960.00"',
    "resident.chronic.annual_cap": '"960.00"',
    "employee.chronic.ratio": '"0.50"',
    "resident.chronic.ratio": '"0.50"',
    "employee.chronic.deductible.level1": '"100.00"',
    "resident.chronic.deductible.level1": '"100.00"',
    "employee.special.diseases": '[{code = "N18", name = "肾功能衰竭", annual_cap = "50000.00"}]',
    "resident.special.diseases": '[{code = "N18", name = "肾功能衰竭", annual_cap = "50000.00"}]',
    "employee.special.at_inpatient_ratio": "true",
    "resident.special.at_inpatient_ratio": "true",
    "employee.special.deductible.level2": '"0.00"',
    "resident.special.deductible.level2": '"0.00"',
    "resident.major_illness.segments": '[{from = "10000.00", ratio = "0.60"}, {from = "50000.00", ratio = "0.70"}]',
    "employee.large_expense.segments": '[{from = "5000.00", ratio = "0.80"}]',
    "employee.large_expense.annual_cap": '"100000.00"',
    "employee.pharmacy.pooled": "true",
    "resident.pharmacy.pooled": "false",
}

CLAIM_POLICY = policy_text(CLAIM_PARAMS, effective_from="2025-01-01")
