"""System checks of the configuration and deployment that Django's own checks do not make."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from core import crypto


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


@register(Tags.security, deploy=True)
def personal_data_keys(app_configs, **kwargs):
    """Personal data needs keys of its own: one derived from SECRET_KEY is lost when SECRET_KEY changes."""
    if crypto.uses_fallback_key():
        return [
            Warning(
                "CHANGAI_PII_KEYS is not set: personal data is encrypted with a key derived from SECRET_KEY.",
                hint="Set CHANGAI_PII_KEYS=k1:<32 random bytes in hex or base64> before any personal data is "
                "stored (docs/personal-data.md).",
                id="changai.W003",
            )
        ]
    return []


@register(Tags.security)
def personal_data_algorithm(app_configs, **kwargs):
    """The configured cipher must exist in this build of OpenSSL, or no personal data could be saved."""
    if not crypto.algorithm_available(settings.PII_ALGORITHM):
        return [
            Error(
                f"CHANGAI_PII_ALGORITHM={settings.PII_ALGORITHM} is not supported by this cryptography/OpenSSL build.",
                hint="Use an OpenSSL with SM4, or set CHANGAI_PII_ALGORITHM=aes-256-gcm (docs/personal-data.md).",
                id="changai.E001",
            )
        ]
    return []
