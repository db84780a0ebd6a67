"""System checks of the configuration and deployment that Django's own checks do not make."""

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

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


def static_manifest_missing() -> str:
    """The path of the missing static manifest when production serves hashed static files, else ''."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    manifest_name = getattr(staticfiles_storage, "manifest_name", None)
    if manifest_name is None:  # plain storage: files are found where they are
        return ""
    path = os.path.join(str(settings.STATIC_ROOT), manifest_name)
    return "" if os.path.exists(path) else path


def ensure_static_collected() -> None:
    """Refuse to serve when the static manifest is missing (called by changai/wsgi.py at start)."""
    missing = static_manifest_missing()
    if missing:
        raise ImproperlyConfigured(
            f"Static files are not collected ({missing} is missing): run `manage.py collectstatic --noinput` "
            "before starting the server (docs/deploy.md)."
        )


@register(Tags.staticfiles, deploy=True)  # deploy only: collectstatic itself runs the staticfiles checks
def static_collected(app_configs, **kwargs):
    """`check` says the same as the refused start."""
    missing = static_manifest_missing()
    if missing:
        return [
            Error(
                f"Static files are not collected: {missing} is missing.",
                hint="Run manage.py collectstatic --noinput (docs/deploy.md).",
                id="changai.E003",
            )
        ]
    return []


@register()
def chart_font(app_configs, **kwargs):
    """Charts in generated documents need a CJK font, or their Chinese labels come out as empty boxes."""
    from core.charts import FONT_FILES, font_path

    if font_path() is None:
        return [
            Warning(
                "No Noto Sans CJK font: charts in evaluation reports would print Chinese as empty boxes.",
                hint="Install Debian's fonts-noto-cjk (make install does, as root); looked for "
                + ", ".join(str(p) for p in FONT_FILES),
                id="changai.W004",
            )
        ]
    return []
