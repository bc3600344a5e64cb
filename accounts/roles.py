"""Who in an organisation may do what: the one table of roles and abilities. Pure Python, no Django
models (``accounts.standing`` reads it while settings load).

Every member of an organisation has one role. Reads are open to every role; each write needs an
*ability*, and each ability a least role (:data:`LEAST_ROLE`). An API view names the ability its
unsafe methods need (``required_ability``, default :attr:`Ability.OPERATE`); the default permission
(``accounts.standing``) checks it before the view runs, the web pages check it the same way
(``web.views.common``), and the few services whose ability depends on the body (``PATCH /api/me/``
with organisation fields, granting ``owner``) ask :func:`role_allows` themselves.

A refusal is 403 ``role_forbidden`` (``accounts.errors.RoleForbiddenError``).
"""

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"


class Ability(StrEnum):
    #: The person's own profile (full name) and password: anyone signed in, whatever their role.
    PROFILE = "profile"
    #: The SME's operational work: emissions, sites and readings, projects, claims, documents,
    #: listings, buying, transfers, retirements, reports. The default of every write.
    OPERATE = "operate"
    #: The organisation's details (PATCH /api/me/ ``organization``) and its verification request.
    ORGANIZATION = "organization"
    #: Members and invitations (admin, member and viewer roles).
    MEMBERS = "members"
    #: Integrations that act for the organisation or send its data out: API keys, webhook endpoints.
    INTEGRATIONS = "integrations"
    #: Money leaving the organisation: payouts.
    PAYOUTS = "payouts"
    #: Granting or taking away the owner role, inviting an owner, removing an owner.
    OWNERS = "owners"


#: The least role each ability needs. The one place this rule is written.
LEAST_ROLE: dict[Ability, Role] = {
    Ability.PROFILE: Role.VIEWER,
    Ability.OPERATE: Role.MEMBER,
    Ability.ORGANIZATION: Role.ADMIN,
    Ability.MEMBERS: Role.ADMIN,
    Ability.INTEGRATIONS: Role.ADMIN,
    Ability.PAYOUTS: Role.ADMIN,
    Ability.OWNERS: Role.OWNER,
}

#: Roles from the least to the most powerful.
RANK: dict[Role, int] = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2, Role.OWNER: 3}


def role_allows(role: str, ability: Ability) -> bool:
    """Whether ``role`` may use ``ability``; an unknown role may do nothing."""
    try:
        return RANK[Role(role)] >= RANK[LEAST_ROLE[ability]]
    except ValueError:
        return False


def abilities_of(role: str) -> list[Ability]:
    """Every ability ``role`` has, in the table's order (shown in ``/api/me/``)."""
    return [ability for ability in Ability if role_allows(role, ability)]


def role_require(*, role: str, ability: Ability) -> None:
    """Raise 403 ``role_forbidden`` unless ``role`` may use ``ability``; the message names both roles."""
    if role_allows(role, ability):
        return
    from accounts.errors import RoleForbiddenError  # errors load DRF-free Django code; keep this module light

    needed = LEAST_ROLE[ability]
    raise RoleForbiddenError(
        f"Your role ({role or 'none'}) does not allow this: it needs {needed} or higher. "
        "An owner or admin of your organisation can change your role.",
        role=role or None,
        required_role=needed.value,
    )
