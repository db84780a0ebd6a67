"""What the studios pages share."""

from __future__ import annotations

from core.errors import UserError


def put_error(form, error: UserError) -> None:
    """Show a service's refusal next to the field it names (or above the form)."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


def history_rows(item) -> list[dict]:
    """The item's audit rows as the page shows them: when, who, what (its declared label) and why."""
    from core import registry
    from core.workflow import history

    return [
        {
            "at": entry.at,
            "who": entry.username or "—",
            "event": registry.event_label(entry.event),
            "reason": (entry.detail or {}).get("reason", "") if isinstance(entry.detail, dict) else "",
        }
        for entry in history(item)
    ]


def query_string(chosen: dict) -> str:
    from urllib.parse import urlencode

    return urlencode({k: getattr(v, "code", v) for k, v in chosen.items()})
