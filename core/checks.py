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
