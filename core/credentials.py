"""Ending a person's credentials: their API token stops working and every session of theirs ends."""

from __future__ import annotations

from django.db.models import F
from rest_framework.authtoken.models import Token


def credentials_end(user) -> int:
    """Revoke `user`'s API tokens and end all their sessions (by raising the credentials epoch that signs
    them); returns the number of tokens revoked. Runs in the caller's transaction and audit row."""
    revoked = Token.objects.filter(user=user).delete()[0]
    type(user).objects.filter(pk=user.pk).update(credentials_epoch=F("credentials_epoch") + 1)
    user.refresh_from_db(fields=["credentials_epoch"])
    return revoked
