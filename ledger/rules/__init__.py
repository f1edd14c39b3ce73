"""The pure rules: money, ID numbers, persons, family bindings, claim input, benefits,
adjudication, eligibility and the rollover. Plain values in, plain values out; no
database, no files."""
