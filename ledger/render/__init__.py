"""Reports rendered for people: charts (PNG) and the one-page HTML report."""
