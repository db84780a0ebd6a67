"""How pages and the JSON API ask the analytics engine: for the signed-in user's scope, out of scope is 404.

The engine knows no requests and raises no HTTP errors (analytics/engine/scope.py); this is the thin
adapter between the two. A user's scope is `Scope.for_user(request.user)`; `OutOfScope` from the engine
becomes Http404, which pages answer (and audit) as "not found" and the API's exception handler as its
404, the same answer as for any id that is not the caller's.
"""

from __future__ import annotations

import functools

from django.http import Http404

from analytics.engine.scope import OutOfScope, Scope


def scope_of(request) -> Scope:
    """The engine's scope for a page or API request: the signed-in user's."""
    return Scope.for_user(request.user)


def outside_scope_is_404(view):
    """Decorate a view (function or method): OutOfScope raised by the engine becomes Http404."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except OutOfScope as error:
            raise Http404 from error

    return wrapper
