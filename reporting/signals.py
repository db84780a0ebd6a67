"""Signals other apps listen to, sent inside the transaction that changes a report's standing.

`accepted_data_changed` is sent with `report` when the data a report contributes to the accepted
figures changes: the office accepted it, or reopened an accepted (or locked) one. Receivers run in
the same transaction, so an aggregate kept by a receiver is current as soon as the step commits
and rolls back with it.
"""

from django.dispatch import Signal

accepted_data_changed = Signal()  # kwargs: report, accepted (bool: True on accept, False on reopen)
