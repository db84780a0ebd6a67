"""The ledger pages: the list of ledgers in scope, one organisation's ledger, the office's settings."""
