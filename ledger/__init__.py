"""门诊共济账本: a ledger for the outpatient mutual-aid mechanism of China's basic medical insurance.

The package, from the bottom up: `rules` (pure rules: money, ID numbers, persons, family,
claim input, benefits, adjudication, rollover) and `policy` (policy files and their
resolution); `formats` (input files read into rows); `db` (schema, engine, set-based
statements); `services` (one function per use case, each owning its transaction); `cli`.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

__version__ = "0.1.0"

# Modules that moved into the packages above. Scripts that import the old names keep
# working: the old name is the very module object of the new one (not a copy), so a patch
# through either name is seen through both.
MOVED = {
    "ledger.money": "ledger.rules.money",
    "ledger.idcard": "ledger.rules.idcard",
    "ledger.codes": "ledger.rules.codes",
    "ledger.persons": "ledger.rules.persons",
    "ledger.family": "ledger.rules.family",
    "ledger.claim_input": "ledger.rules.claim_input",
    "ledger.benefits": "ledger.rules.benefits",
    "ledger.adjudication": "ledger.rules.adjudication",
    "ledger.eligibility": "ledger.rules.eligibility",
    "ledger.rollover_rules": "ledger.rules.rollover",
    "ledger.operators": "ledger.rules.operators",
    "ledger.claim_files": "ledger.formats.claim_files",
    "ledger.retry": "ledger.db.retry",
    "ledger.rules.display": "ledger.render.display",  # presentation, out of the pure rules
    "ledger.rules.labels": "ledger.render.labels",
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    own_specs: dict = {}

    def find_spec(self, name, path=None, target=None):
        return importlib.util.spec_from_loader(name, self) if name in MOVED else None

    def create_module(self, spec):
        warnings.warn(f"{spec.name} is now {MOVED[spec.name]}", DeprecationWarning, stacklevel=2)
        module = importlib.import_module(MOVED[spec.name])
        self.own_specs[module.__name__] = module.__spec__
        return module

    def exec_module(self, module):
        # The import machinery stamped the old name's spec on the module; give it its own back.
        module.__spec__ = self.own_specs[module.__name__]


if not any(isinstance(f, _MovedModules) for f in sys.meta_path):
    sys.meta_path.append(_MovedModules())
