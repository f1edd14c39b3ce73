"""Example files for the README's tour, installed as `ledger.examples`; `ledger examples`
copies them into a folder. Data only: nothing here is imported."""
