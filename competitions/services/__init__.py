"""Writes of the competitions: events and their trades, entries (by hand and imported), results, outcomes."""
