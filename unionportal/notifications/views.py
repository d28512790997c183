from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import selectors, services
from .kinds import kind_choices
from .models import Notice

PAGE_SIZE = 50


@login_required
def inbox(request):
    """The signed-in user's notices (deadline reminders, escalations), unread ones marked."""
    page = Paginator(selectors.inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    unread = selectors.unread_count(request.user)
    return render(request, "notifications/notice_inbox.html", {"page": page, "unread": unread})


@login_required
@require_POST
def mark_read(request):
    """Mark one notice (``notice``) or, without it, every notice of the user read. Others' ids do nothing."""
    ids = [value for value in request.POST.getlist("notice") if value.isdigit()]
    services.notice_mark_read(user=request.user, notice_ids=ids if "notice" in request.POST else None)
    return redirect("notifications:inbox")


@login_required
@permission_required(selectors.VIEW_PERMISSION, raise_exception=True)
def outbox(request):
    """Recent notices, filtered by status and kind: the SMS of the user's subtree and their own inbox."""
    notices = selectors.outbox_for(request.user)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    if status in Notice.Status.values:
        notices = notices.filter(status=status)
    if kind:
        notices = notices.filter(kind=kind)
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "statuses": Notice.Status.choices,
        "kinds": kind_choices(),
        "status": status,
        "kind": kind,
    }
    return render(request, "notifications/notice_list.html", context)
