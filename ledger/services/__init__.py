"""One function per use case. Each opens `with uow:`, validates, writes, and commits; any
error before the commit leaves the database as it was."""
