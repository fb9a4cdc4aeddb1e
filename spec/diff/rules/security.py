"""Rules on an operation's security: what credentials the old version's clients send and
whether the new version still accepts them.

A credential is identified by where it travels (the `Authorization` header, a query or header
key), not by the scheme's name: `bearerAuth` renamed `BearerToken` is the same credential. An
http scheme refines it (bearer is not basic); an apiKey in a header is opaque (its value may be
`Bearer ...`), so it matches an http scheme on the same header, with a warning.
"""

from spec.diff.pairs import OperationPair
from spec.diff.rules import Hit, diff_rule
from spec.model.types import Requirement


def _same_place(a, b) -> bool:
    return a.place == b.place and (a.scheme is None or b.scheme is None or a.scheme == b.scheme)


def satisfies(offered: Requirement, asked: Requirement, *, scopes: bool = True) -> bool:
    """Do the credentials of `offered` (one alternative a client uses) meet `asked`?"""
    for credential, wanted in asked:
        matches = [have for c, have in offered if _same_place(c, credential)]
        if not matches or (scopes and not any(wanted <= have for have in matches)):
            return False
    return True


def describe(requirement: Requirement) -> str:
    if not requirement:
        return "no credentials"
    parts = []
    for credential, scopes in requirement:
        text = f"{credential.scheme_name} ({credential.describe()})"
        parts.append(text + (f" with scopes {', '.join(sorted(scopes))}" if scopes else ""))
    return " and ".join(parts)


def _refused(pair: OperationPair, *, scopes_only: bool):
    if pair.old is None or pair.new is None:
        return
    asked = pair.new.security.alternatives
    for offered in pair.old.security.alternatives:
        if any(satisfies(offered, alternative) for alternative in asked):
            continue
        by_scopes = any(satisfies(offered, alternative, scopes=False) for alternative in asked)
        if by_scopes == scopes_only:
            wanted = " or ".join(describe(a) for a in asked)
            yield Hit(
                pair.old.security.pointer,
                pair.new.security.pointer,
                f"a client sending {describe(offered)} is refused: the operation now requires {wanted}",
            )


@diff_rule(
    "security-requirement-added", "breaking", "The credentials an old client sends are no longer enough.", side="auth"
)
def security_requirement_added(pair: OperationPair):
    """A new scheme required (an API key besides the bearer token, basic instead of bearer),
    or authentication where there was none: the client's request is refused with 401."""
    yield from _refused(pair, scopes_only=False)


@diff_rule(
    "security-scopes-added", "breaking", "The operation requires OAuth2 scopes the old version did not.", side="auth"
)
def security_scopes_added(pair: OperationPair):
    """Tokens issued for the old scopes lack the new one: 403 until the client asks for more."""
    yield from _refused(pair, scopes_only=True)


@diff_rule("security-requirement-removed", "info", "The operation may now be called without credentials.", side="auth")
def security_requirement_removed(pair: OperationPair):
    """Looser access: clients that authenticate still may (check it is intended)."""
    if (
        pair.old is not None
        and pair.new is not None
        and pair.new.security.anonymous
        and not pair.old.security.anonymous
    ):
        yield Hit(pair.old.security.pointer, pair.new.security.pointer, "no longer requires credentials")


@diff_rule(
    "security-scheme-changed",
    "warning",
    "A credential travels in the same place under another kind of scheme.",
    side="auth",
)
def security_scheme_changed(pair: OperationPair):
    """An apiKey in `Authorization` declared as http bearer (or back) sends the same header;
    whether the value is written the same way (`Bearer` prefix or not) is for a person to check."""
    if pair.old is None or pair.new is None:
        return
    seen: set[tuple[str, str]] = set()
    for offered in pair.old.security.alternatives:
        for alternative in pair.new.security.alternatives:
            if not satisfies(offered, alternative, scopes=False):
                continue
            for new_credential, _ in alternative:
                for old_credential, _ in offered:
                    if not _same_place(old_credential, new_credential) or old_credential.kind == new_credential.kind:
                        continue
                    key = (old_credential.pointer, new_credential.pointer)
                    if key not in seen:
                        seen.add(key)
                        yield Hit(
                            old_credential.pointer,
                            new_credential.pointer,
                            f"{old_credential.scheme_name} ({old_credential.describe()}) is now "
                            f"{new_credential.scheme_name} ({new_credential.describe()})",
                        )
