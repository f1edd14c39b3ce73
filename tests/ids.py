"""ID numbers for tests. The check characters were worked out by hand with GB 11643's
weights (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2) and the table 1 0 X 9 8 7 6 5 4 3 2; the unit
tests in test_idcard.py show the arithmetic for the first one."""

# The standard's own example: woman born 1949-12-31 in Beijing, Chaoyang district.
STANDARD_EXAMPLE = "11010519491231002X"
# Songyuan, Ningjiang district (220702).
RETIREE = "220702195203150020"  # woman, born 1952-03-15, retired employee
WORKER = "220702197806110035"  # man, born 1978-06-11, employee in service
STUDENT = "220702200809020136"  # man, born 2008-09-02, resident
