"""What each role may do, and which roles each role may grant: the one table access is built on.

A role is held at an organisation and covers that organisation's whole subtree, with two
exceptions: the reform office's roles cover the whole province (the office sits in the tree
as a node of its own but coordinates everyone), and the leading-group department viewer's
business-data scope is the enterprises assigned to its department (挂钩帮带), not the
department's own subtree.
"""

from orgs.choices import Action, Role

A = Action

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.OFFICE_ADMIN: frozenset(
        {
            A.ORG_VIEW,
            A.ORG_MANAGE,
            A.VIEW,
            A.EDIT,
            A.REVIEW,
            A.ACCEPT,
            A.EXPORT,
            A.USER_MANAGE,
            A.PII_VIEW,
            A.METADATA_MANAGE,
            A.ASSESS_MANAGE,
        }
    ),
    Role.OFFICE_REVIEWER: frozenset({A.ORG_VIEW, A.VIEW, A.REVIEW, A.ACCEPT, A.EXPORT}),
    Role.UNION_ADMIN: frozenset({A.ORG_VIEW, A.ORG_MANAGE, A.VIEW, A.EDIT, A.REVIEW, A.EXPORT, A.USER_MANAGE}),
    Role.REPORTER: frozenset({A.ORG_VIEW, A.VIEW, A.EDIT, A.EXPORT}),
    Role.INFO_OFFICER: frozenset({A.ORG_VIEW, A.VIEW}),
    Role.LIAISON: frozenset({A.ORG_VIEW, A.VIEW}),
    Role.GUIDANCE: frozenset({A.ORG_VIEW, A.VIEW}),
    Role.DEPT_VIEWER: frozenset({A.ORG_VIEW, A.VIEW}),
    Role.LEADER: frozenset({A.ORG_VIEW, A.VIEW, A.EXPORT}),
    # 三权分立: users and settings without business data; security policy; the audit log.
    # The system administrator manages accounts and the tree; the security administrator grants and
    # revokes roles and sets the security policy. Both reach the user pages (USER_MANAGE), and
    # ACCOUNT_MANAGERS and GRANTABLE below say which half of them each may do.
    Role.SYS_ADMIN: frozenset({A.ORG_VIEW, A.ORG_MANAGE, A.USER_MANAGE}),
    Role.SEC_ADMIN: frozenset({A.USER_MANAGE, A.SECURITY_MANAGE}),
    Role.AUDIT_ADMIN: frozenset({A.AUDIT_VIEW}),
}

SEPARATED_ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
OFFICE_ROLES = frozenset({Role.OFFICE_ADMIN, Role.OFFICE_REVIEWER})
BUSINESS_ROLES = frozenset(set(Role) - SEPARATED_ADMIN_ROLES)

# Which roles a holder of a USER_MANAGE role may grant, within its own subtree. The system
# administrator grants none (三权分立, docs/separation-of-duties.md): he may only request a role for
# an account he creates, which the security administrator grants.
GRANTABLE: dict[str, frozenset[str]] = {
    Role.SEC_ADMIN: frozenset(Role),
    Role.OFFICE_ADMIN: BUSINESS_ROLES,
    Role.UNION_ADMIN: frozenset({Role.UNION_ADMIN, Role.REPORTER, Role.INFO_OFFICER, Role.LIAISON}),
}

# Which roles may be requested (not granted) for an account its holder creates.
REQUESTABLE: dict[str, frozenset[str]] = {Role.SYS_ADMIN: frozenset(Role)}

# Who creates accounts, resets their passwords and (de)activates them, within their subtree.
# Not the security administrator: whoever grants rights never knows a password.
ACCOUNT_MANAGERS = frozenset({Role.SYS_ADMIN, Role.OFFICE_ADMIN, Role.UNION_ADMIN})

# Roles whose holders must use a second factor when not in demo mode.
TWO_FACTOR_ROLES = SEPARATED_ADMIN_ROLES


def actions_for(role: str) -> frozenset[str]:
    return ROLE_ACTIONS.get(role, frozenset())
