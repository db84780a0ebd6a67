from django.contrib.auth.backends import ModelBackend


class CaseInsensitiveModelBackend(ModelBackend):
    """Usernames match regardless of case (they are unique regardless of case too)."""

    def user_can_authenticate(self, user):
        from django.conf import settings

        if getattr(user, "is_demo", False) and not settings.DEMO_MODE:
            return False  # demo accounts exist only for local demonstration
        if getattr(user, "awaiting_activation", False):
            return False  # no password of its own yet: only its one-time activation opens it
        return super().user_can_authenticate(user)
