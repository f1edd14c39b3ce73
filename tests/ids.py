"""ID numbers for tests. The first two check characters are worked out by hand in
test_idcard.py; the others were made with the same (tested) check_character and are only
fixtures here, never the thing asserted. All Songyuan, Ningjiang district (220702)."""

# The standard's own example: woman born 1949-12-31 in Beijing, Chaoyang district.
STANDARD_EXAMPLE = "11010519491231002X"
RETIREE = "220702195203150020"  # woman, born 1952-03-15, retired employee
WORKER = "220702197806110035"  # man, born 1978-06-11, employee in service: the usual holder
STUDENT = "220702200809020136"  # man, born 2008-09-02, resident (ordinary)

SPOUSE = "220702198002020020"  # woman, born 1980-02-02
SIBLING = "220702198205050035"  # man, born 1982-05-05
GRANDPARENT = "220702193001010012"  # man, born 1930-01-01
MATERNAL_GRANDPARENT = "220702193201010025"  # woman, born 1932-01-01
GRANDCHILD = "220702202001010030"  # man, born 2020-01-01
MATERNAL_GRANDCHILD = "220702202101010046"  # woman, born 2021-01-01
HARDSHIP_CHILD = "220702201003030049"  # woman, born 2010-03-03, resident (hardship)
POOR_CHILD = "220702201204040059"  # man, born 2012-04-04, resident (extreme poverty)
BEIJING = "110105198501010012"  # man, born 1985-01-01, insured in Beijing (110105)
