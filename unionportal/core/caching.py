"""Personal data never rests in a cache: ``Cache-Control: no-store`` on every page that can show it."""

from django.utils.cache import add_never_cache_headers

# Pages of these apps show people's data even to a visitor who is not signed in (the claim status check,
# activation, the member's own pages).
PERSONAL_NAMESPACES = frozenset({"members", "mutualaid", "payments", "notifications", "accounts", "api"})


def must_not_store(request) -> bool:
    """Whether the response to ``request`` may hold personal data.

    Keyed on the view (its URL namespace) and on the visitor: anything shown to a signed-in account (staff or
    member) may carry names, ID numbers, claims, a bank file. The login page, health check and static files
    of an anonymous visitor stay cacheable.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    match = getattr(request, "resolver_match", None)
    return bool(match and match.namespaces and match.namespaces[0] in PERSONAL_NAMESPACES)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and Django's never-cache headers) on responses that may hold personal data.

    A browser's disk cache on a shared counter PC, or a proxy in the hall, must not keep a member's page,
    an export with full ID numbers or the bank file after the clerk has signed out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if must_not_store(request):
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response
