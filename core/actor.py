"""Who performs a write: a person acting through a request, or the system itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.net import client_ip

if TYPE_CHECKING:
    from django.http import HttpRequest


@dataclass(frozen=True)
class Actor:
    """The author of a change, as the audit log records it."""

    user: Any = None
    ip: str | None = None
    request_id: str = ""
    system_name: str = ""
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
        return cls(user=user, ip=client_ip(request) or None, request_id=getattr(request, "request_id", ""))

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(user=None, system_name=name)

    @property
    def username(self) -> str:
        if self.user is not None:
            return self.user.get_username()
        return f"system:{self.system_name}" if self.system_name else ""

    @property
    def role_label(self) -> str:
        """The roles the user holds, as text (e.g. 'reporter@530100'), or '' for the system."""
        describe = getattr(self.user, "roles_summary", None)
        return describe() if callable(describe) else ""

    @property
    def org_code(self) -> str:
        primary = getattr(self.user, "primary_org_code", None)
        return primary() if callable(primary) else ""
