"""What every persona gets on every route: the one table of the route × persona sweep (issue 11).

One row per URL name of the resolver (``ROUTES``; a key with ``*`` covers every route it matches, e.g. the
admin) and one per operation of the OpenAPI schema (``API_OPERATIONS``, keyed by operationId). Each row says:

- which row of the sweep's world (tests/security/world.py) fills the URL's ``<pk>``: "member", "union",
  "claim", "document", "enrolment", "transfer", "enterprise", "roster", "report", "payment_batch",
  "payment_request", "audit", "lockout" (all of the owner's county), or None;
- ``get``: what a GET answers to each persona, and ``post``: what a POST with an empty body answers, in the
  order ``owner peer other member anon noperm`` (see PERSONA_HELP in world.py);
- ``may_write``: tables a POST may write although it answers with a redirect (signing out writes its audit row);
- an answer is a status code ("200", "403", "404", "405"), "login" (a redirect to the sign-in page, the
  portal's or the admin's), "302" (a redirect elsewhere), or "-" (not tried: the owner's POSTs really write).
The rows of the apps built on the floor (hardship, competitions, rights) live beside this file in
``routes_<app>.py``, and their objects in ``world_<app>.py``; both are gathered here and in world.py.

A refused POST must also write nothing: the sweep fails one that changed any table (sessions and django-axes'
records aside). Object routes of the owner's county answer 404 to the other county and to the peer union.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Expect:
    obj: str | None
    get: str = ""
    post: str = ""
    # Tables a POST may write although its answer is a redirect: only where that is the point of the route.
    may_write: tuple[str, ...] = ()


ROUTES: dict[str, Expect] = {
    # Only the security administrator grants roles and resets passwords (issue 11 item 4): no persona here is one.
    "accounts:user-list": Expect(None, get="403 403 403 403 login 403", post="- 403 403 403 login 403"),
    "accounts:user-roles": Expect("staff_user", get="403 403 403 403 login 403", post="- 403 403 403 login 403"),
    "accounts:user-password-reset": Expect(
        "staff_user", get="403 403 403 403 login 403", post="- 403 403 403 login 403"
    ),
    "accounts:role-grant-confirm": Expect(
        "role_grant", get="403 403 403 403 login 403", post="- 403 403 403 login 403"
    ),
    "mutualaid:claim-withdraw": Expect("claim", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "mutualaid:my-claim-withdraw": Expect(None, get="404 404 404 200 login 404", post="- 404 404 200 login 404"),
    "payments:request-confirm": Expect(
        "payment_request", get="405 403 405 403 login 403", post="- 403 404 403 login 403"
    ),
    "reconciliation:discrepancy-list": Expect(None, get="200 403 200 403 login 200", post="- 403 200 403 login 200"),
    "core:workbench": Expect(None, get="200 200 200 302 login 200", post="- 200 200 302 login 200"),
    "accounts:login": Expect(None, get="302 302 302 302 200 302", post="- 302 302 302 200 302"),
    # Signing out is audited (issue 11 item 9): the sign-out row is the one write a POST makes.
    "accounts:logout": Expect(
        None, get="405 405 405 405 405 405", post="- login login login login login", may_write=("auditlog_logentry",)
    ),
    "accounts:security": Expect(None, get="200 200 200 200 login 200", post="- 200 200 200 login 200"),
    "accounts:password-change": Expect(None, get="200 200 200 200 login 200", post="- 200 200 200 login 200"),
    "accounts:otp-setup": Expect(None, get="200 200 200 200 login 200", post="- 200 200 200 login 200"),
    "accounts:otp-verify": Expect(None, get="200 200 200 200 login 200", post="- 200 200 200 login 200"),
    "accounts:otp-disable": Expect(None, get="405 405 405 405 login 405", post="- 302 302 302 login 302"),
    "accounts:audit-list": Expect(None, get="403 403 403 403 login 200", post="- 403 403 403 login 200"),
    "accounts:audit-detail": Expect("audit", get="403 403 403 403 login 404", post="- 403 403 403 login 404"),
    "accounts:lockout-list": Expect(None, get="403 403 403 403 login 403", post="- 403 403 403 login 403"),
    "accounts:lockout-release": Expect("lockout", get="403 403 403 403 login 403", post="- 403 403 403 login 403"),
    "members:organisation-list": Expect("union", get="302 302 302 403 login 403", post="- 302 302 403 login 403"),
    "members:organisation-detail": Expect("union", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "members:organisation-create": Expect("union", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "members:organisation-edit": Expect("union", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "members:organisation-move": Expect("union", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "members:organisation-merge": Expect("union", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "members:organisation-deregister": Expect("union", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "members:certificate-case-create": Expect("union", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "members:certificate-attention": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "members:figures": Expect(None, get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "members:roster-list": Expect(None, get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "members:roster-template": Expect(None, get="200 200 200 403 login 403", post="- 405 405 403 login 403"),
    "members:roster-union-suggestions": Expect(None, get="200 200 200 403 login 403", post="- 405 405 403 login 403"),
    "members:roster-detail": Expect("roster", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "members:roster-progress": Expect("roster", get="200 404 404 403 login 403", post="- 405 405 403 login 403"),
    "members:roster-confirm": Expect("roster", get="405 405 405 403 login 403", post="- 404 404 403 login 403"),
    "members:roster-cancel": Expect("roster", get="405 405 405 403 login 403", post="- 404 404 403 login 403"),
    "members:roster-errors": Expect("roster", get="404 404 404 403 login 403", post="- 405 405 403 login 403"),
    "members:member-export": Expect("member", get="200 200 200 403 login 403", post="- 405 405 403 login 403"),
    "members:drive-list": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "members:drive-import": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "members:drive-template": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "members:drive-match": Expect(None, get="405 403 405 403 login 403", post="- 403 302 403 login 403"),
    "members:drive-detail": Expect("enterprise", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "members:drive-status": Expect("enterprise", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "members:drive-owner": Expect("enterprise", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "members:drive-note": Expect("enterprise", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "members:drive-found": Expect("enterprise", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "members:activate": Expect(None, get="200 200 200 200 200 200", post="- 200 200 200 200 200"),
    "members:account-code": Expect(None, get="200 200 200 200 200 200", post="- 200 200 200 200 200"),
    "members:password-reset": Expect(None, get="200 200 200 200 200 200", post="- 200 200 200 200 200"),
    "members:my-notices": Expect(None, get="404 404 404 200 login 404", post="- 404 404 200 login 404"),
    "members:account-code-issue": Expect("member", get="405 405 405 403 login 403", post="- 404 404 403 login 403"),
    "members:member-lookup": Expect("member", get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "members:member-list": Expect("member", get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "members:member-create": Expect("member", get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "members:member-detail": Expect("member", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "members:member-edit": Expect("member", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "members:member-reveal": Expect("member", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "members:member-status": Expect("member", get="405 405 405 403 login 403", post="- 404 404 403 login 403"),
    "members:member-card-issue": Expect("member", get="405 405 405 403 login 403", post="- 404 404 403 login 403"),
    "members:member-card-print": Expect("member", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "members:member-transfer": Expect("member", get="405 405 405 403 login 403", post="- 404 404 403 login 403"),
    "members:member-ask-transfer": Expect(None, get="405 405 405 403 login 403", post="- 302 302 403 login 403"),
    "members:card-scan": Expect(None, get="302 404 404 403 login 403", post="- 404 404 403 login 403"),
    "members:transfer-list": Expect(None, get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "members:transfer-decide": Expect("transfer", get="405 405 405 403 login 403", post="- 404 404 403 login 403"),
    "mutualaid:status-check": Expect(None, get="200 200 200 200 200 200", post="- 200 200 200 200 200"),
    "mutualaid:my-claims": Expect(None, get="404 404 404 200 login 404", post="- 404 404 200 login 404"),
    "mutualaid:my-claim-detail": Expect(None, get="404 404 404 200 login 404", post="- 404 404 200 login 404"),
    "mutualaid:my-cover": Expect(None, get="404 404 404 200 login 404", post="- 404 404 200 login 404"),
    "mutualaid:my-estimate": Expect(None, get="404 404 404 200 login 404", post="- 404 404 200 login 404"),
    "mutualaid:queue": Expect(None, get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "mutualaid:figures": Expect(None, get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "mutualaid:claim-decide": Expect("claim", get="405 405 405 405 login 405", post="- 403 404 403 login 403"),
    "mutualaid:estimate": Expect("claim", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "mutualaid:claim-list": Expect("claim", get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "mutualaid:claim-create": Expect("claim", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "mutualaid:claim-detail": Expect("claim", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "mutualaid:claim-materials": Expect("claim", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "mutualaid:claim-document-upload": Expect("claim", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "mutualaid:claim-accept": Expect("claim", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "mutualaid:claim-result": Expect("claim", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "mutualaid:claim-document": Expect("claim", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "mutualaid:claim-receipt": Expect("claim", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "mutualaid:claim-checklist": Expect("claim", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "mutualaid:enrolment-list": Expect(None, get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "mutualaid:enrolment-create": Expect(None, get="200 200 200 403 login 403", post="- 200 200 403 login 403"),
    "mutualaid:enrolment-detail": Expect("enrolment", get="200 404 404 403 login 403", post="- 404 404 403 login 403"),
    "mutualaid:enrolment-pay": Expect("enrolment", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "mutualaid:renewal-sheet": Expect(None, get="404 404 404 403 login 403", post="- 404 404 403 login 403"),
    "reporting:report-list": Expect("report", get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "reporting:catalogue": Expect(None, get="403 403 403 403 login 403", post="- 403 403 403 login 403"),
    "reporting:report-detail": Expect("report", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "reporting:report-decide": Expect("report", get="405 405 405 405 login 405", post="- 403 403 403 login 403"),
    "reporting:report-correct": Expect("report", get="405 405 405 405 login 405", post="- 404 404 404 login 302"),
    "reporting:report-template": Expect("report", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "reporting:report-upload": Expect("report", get="405 405 405 405 login 405", post="- 403 404 403 login 403"),
    "reporting:targets": Expect(None, get="403 403 403 403 login 403", post="- 403 403 403 login 403"),
    "reporting:bulletin-list": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "reporting:bulletin-detail": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "reporting:bulletin-publish": Expect(None, get="405 405 405 405 login 405", post="- 403 403 403 login 403"),
    "reporting:bulletin-file": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "reporting:dashboard": Expect(None, get="302 403 302 403 login 403", post="- 403 302 403 login 403"),
    "reporting:county-dashboard": Expect(None, get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "reporting:chart-download": Expect(None, get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "notifications:inbox": Expect(None, get="200 200 200 200 login 200", post="- 200 200 200 login 200"),
    "notifications:mark-read": Expect(None, get="405 405 405 405 login 405", post="- 302 302 302 login 302"),
    "notifications:outbox": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "payments:batch-list": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "payments:batch-create": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "payments:batch-detail": Expect("payment_batch", get="200 403 404 403 login 403", post="- 403 404 403 login 403"),
    "payments:batch-export": Expect("payment_batch", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "payments:batch-sent": Expect("payment_batch", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "payments:batch-cancel": Expect("payment_batch", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "payments:batch-result": Expect("payment_batch", get="405 403 405 403 login 403", post="- 403 404 403 login 403"),
    "payments:request-failed-list": Expect(None, get="200 403 200 403 login 403", post="- 403 200 403 login 403"),
    "payments:request-correct": Expect(
        "payment_request", get="405 403 405 403 login 403", post="- 403 404 403 login 403"
    ),
    "healthz": Expect(None, get="200 200 200 200 200 200", post="- 405 405 405 405 405"),
    "set_language": Expect(None, get="302 302 302 302 302 302", post="- 302 302 302 302 302"),
    "admin:login": Expect(None, get="200 200 200 200 200 200", post="- 200 200 200 200 200"),
    "admin:logout": Expect(None, get="302 302 302 302 302 302", post="- 302 302 302 302 302"),
    "api:me": Expect(None, get="200 200 200 200 401 200", post="- 405 405 405 401 405"),
    "api:token": Expect(None, get="405 405 405 405 405 405", post="- 400 400 400 400 400"),
    # Revoking one's own tokens: any signed-in caller (a session has none to revoke); anonymous is a 401.
    "api:token-revoke": Expect(None, get="405 405 405 405 401 405", post="- 204 204 204 401 204"),
    "api:token-revoke-all": Expect(None, get="405 405 405 405 401 405", post="- 204 204 204 401 204"),
    "api:claim-status": Expect(None, get="405 405 405 405 405 405", post="- 400 400 400 400 400"),
    "api:claim-list": Expect(None, get="200 200 200 403 401 403", post="- 405 405 405 401 405"),
    "api:member-lookup": Expect(None, get="405 405 405 405 401 405", post="- 400 400 403 401 403"),
    "api:my-claims": Expect(None, get="404 404 404 200 401 404", post="- 405 405 405 401 405"),
    "api:my-claim-detail": Expect(None, get="404 404 404 200 401 404", post="- 405 405 405 401 405"),
    "api:my-cover": Expect(None, get="404 404 404 200 401 404", post="- 405 405 405 401 405"),
    "api:my-estimate": Expect(None, get="405 405 405 405 401 405", post="- 404 404 400 401 404"),
    "api:my-notices": Expect(None, get="404 404 404 200 401 404", post="- 405 405 405 401 405"),
    "api:reporting-report": Expect(None, get="200 403 404 403 401 403", post="- 403 404 403 401 403"),
    "api:organisation-list": Expect(None, get="200 200 200 403 401 403", post="- 403 405 403 401 403"),
    "api:organisation-detail": Expect("union", get="200 404 404 403 401 403", post="- 403 405 403 401 403"),
    "api:api-root": Expect(None, get="200 200 200 200 401 200", post="- 405 405 405 401 405"),
    "api-schema": Expect(None, get="200 200 200 200 200 200", post="- 405 405 405 405 405"),
    "api-docs": Expect(None, get="200 200 200 200 200 200", post="- 405 405 405 405 405"),
    # The admin: every page of it sends everyone who is not admin staff to its sign-in page (none of the personas
    # is). Its own sign-in page, sign-out and translations catalogue answer everyone.
    "admin:*": Expect(None, get="login login login login login login", post="- login login login login login"),
    "admin/*": Expect(None, get="login login login login login login", post="- login login login login login"),
}

API_OPERATIONS: dict[str, Expect] = {
    "v1_auth_token_create": Expect(None, get="", post="- 400 400 400 400 400"),
    "v1_auth_logout_create": Expect(None, get="", post="- 204 204 204 401 204"),
    "v1_auth_logout_all_create": Expect(None, get="", post="- 204 204 204 401 204"),
    "v1_claims_retrieve": Expect(None, get="200 200 200 403 401 403", post=""),
    "v1_claims_status_create": Expect(None, get="", post="- 400 400 400 400 400"),
    "v1_me_retrieve": Expect(None, get="200 200 200 200 401 200", post=""),
    "v1_members_lookup_create": Expect(None, get="", post="- 400 400 403 401 403"),
    "my_claims_list": Expect(None, get="404 404 404 200 401 404", post=""),
    "v1_my_claims_retrieve": Expect(None, get="404 404 404 200 401 404", post=""),
    "v1_my_cover_list": Expect(None, get="404 404 404 200 401 404", post=""),
    "v1_my_estimate_create": Expect(None, get="", post="- 404 404 400 401 404"),
    "v1_my_notices_list": Expect(None, get="404 404 404 200 401 404", post=""),
    "v1_organisations_list": Expect(None, get="200 200 200 403 401 403", post=""),
    "v1_organisations_retrieve": Expect("union", get="200 404 404 403 401 403", post=""),
    "v1_reporting_reports_retrieve": Expect(None, get="200 403 404 403 401 403", post=""),
    "v1_reporting_reports_create": Expect(None, get="", post="- 403 404 403 401 403"),
}


def _gather_app_tables() -> None:
    """Each app built on the floor keeps its own rows in ``tests/security/routes_<app>.py`` (``ROUTES`` and
    ``API_OPERATIONS`` dicts there): the sweep reads them all as one table. A key defined twice is a mistake."""
    import importlib
    import pkgutil
    from pathlib import Path

    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if not info.name.startswith("routes_"):
            continue
        module = importlib.import_module(f"tests.security.{info.name}")
        for mine, theirs in (
            (ROUTES, getattr(module, "ROUTES", {})),
            (API_OPERATIONS, getattr(module, "API_OPERATIONS", {})),
        ):
            twice = mine.keys() & theirs.keys()
            assert not twice, f"{info.name} repeats rows of the sweep: {sorted(twice)}"
            mine.update(theirs)


_gather_app_tables()
