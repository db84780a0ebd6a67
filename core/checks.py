"""System checks of the deployment that Django's own `check --deploy` does not make."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def public_secret_key(app_configs, **kwargs):
    """The public fall-back key must never sign a deployment's sessions and tokens."""
    if getattr(settings, "LOCAL_SECRET_KEY", None) == settings.SECRET_KEY:
        return [
            Warning(
                "SECRET_KEY is the public local fall-back key.",
                hint="Set CHANGAI_SECRET_KEY to a long random value (python -c 'import secrets; "
                "print(secrets.token_urlsafe(64))').",
                id="changai.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def audit_chain_keys(app_configs, **kwargs):
    """The audit chain's key should be its own, so that rotating SECRET_KEY does not break verification."""
    if not getattr(settings, "AUDIT_KEYS", None):
        return [
            Warning(
                "CHANGAI_AUDIT_KEYS is not set: the audit chain is keyed with a key derived from SECRET_KEY.",
                hint="Set CHANGAI_AUDIT_KEYS=k1:<a long random secret> (docs/audit-chain.md).",
                id="changai.W002",
            )
        ]
    return []
