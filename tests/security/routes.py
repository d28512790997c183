"""What every persona gets on every route: the one table of the route × persona sweep (issue 11).

One row per URL name of the resolver (``ROUTES``; a key with ``*`` covers every route it matches, e.g. the
admin) and one per operation of the OpenAPI schema (``API_OPERATIONS``, keyed by operationId). Each row says:

- which row of the sweep's world (tests/security/world.py) fills the URL's ``<pk>``: "member", "union",
  "claim", "document", "enrolment", "transfer", "enterprise", "roster", "report", "payment_batch",
  "payment_request", "audit", "lockout" (all of the owner's county), or None;
- ``get``: what a GET answers to each persona, and ``post``: what a POST with an empty body answers, in the
  order ``owner peer other member anon noperm`` (see PERSONA_HELP in world.py);
- an answer is a status code ("200", "403", "404", "405"), "login" (a redirect to the sign-in page, the
  portal's or the admin's), "302" (a redirect elsewhere), or "-" (not tried: the owner's POSTs really write).
A refused POST must also write nothing: the sweep fails one that changed any table (sessions and django-axes'
records aside). Object routes of the owner's county answer 404 to the other county and to the peer union.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Expect:
    obj: str | None
    get: str = ""
    post: str = ""


ROUTES: dict[str, Expect] = {
}

API_OPERATIONS: dict[str, Expect] = {
}
