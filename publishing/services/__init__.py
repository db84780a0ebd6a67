"""Writes of the publishing app, one function per use case (see each module)."""
