"""门诊共济账本: a ledger for the outpatient mutual-aid mechanism of China's basic medical insurance."""

__version__ = "0.1.0"
