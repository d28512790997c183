from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .navigation import MEMBER_HOME
from .pending import pending_items


@login_required
def workbench(request):
    if request.user.is_member_account:  # members have their own pages, not the staff workbench
        return redirect(MEMBER_HOME)
    return render(request, "core/workbench.html", {"items": pending_items(request.user)})


@never_cache
@require_GET
def healthz(request):
    """Database, broker and worker status as JSON.

    Answers 503 only when the database is down (this web node cannot serve); a broker or worker outage
    is reported in the body, and ``?strict=1`` turns any failure into 503 for monitoring.
    """
    checks = {
        "database": health.check_database(),
        "broker": health.check_broker(),
        "worker": health.check_worker(),
    }
    healthy = all(ok for ok, _detail in checks.values())
    failed = not checks["database"][0] or (request.GET.get("strict") and not healthy)
    body = {
        "status": "ok" if healthy else "degraded",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
    }
    return JsonResponse(body, status=503 if failed else 200)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
