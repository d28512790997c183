"""Mutual aid's nightly money check: no cover has paid more than its caps (the benefit module's own caps)."""

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.core.display import format_yuan
from unionportal.reconciliation.checks import Finding, register_check

from .benefit import effective_caps
from .claims.review import plan_terms
from .models import Claim, PlanVersion


@register_check("mutualaid.cover_caps", label=gettext_lazy("Claims paid above their cover's caps"))
def cover_caps(today):
    """Per cover (one cover period): paid benefits sum to at most the period cap, each within the per-stay cap.

    The caps depend only on the plan version and the shares, so they are computed once per such pair by
    ``benefit.effective_caps`` (the calculation's own numbers) and the database finds the covers above them:
    a few queries per plan version, however many covers.
    """
    paid = Claim.objects.filter(status=Claim.Status.PAID)
    pairs = sorted(set(paid.values_list("policy__plan_version", "policy__shares").order_by()))
    versions = PlanVersion.objects.filter(pk__in={version for version, _shares in pairs})
    versions = {v.pk: v for v in versions.select_related("plan").prefetch_related("segments")}
    for version_id, shares in pairs:
        per_stay, period = effective_caps(plan_terms(versions[version_id]), shares)
        claims = paid.filter(policy__plan_version=version_id, policy__shares=shares)
        if period is not None:
            over = (
                claims.values("policy", "policy__org_path")
                .annotate(total=Sum("benefit"))
                .filter(total__gt=period)
                .order_by("policy")
            )
            for row in over:
                yield Finding(
                    subject=_("cover %(pk)s") % {"pk": row["policy"]},
                    detail=_("Paid %(total)s in the period, above its cap of %(cap)s (%(shares)s shares).")
                    % {"total": format_yuan(row["total"]), "cap": format_yuan(period), "shares": shares},
                    org_path=row["policy__org_path"],
                )
        if per_stay is not None:
            over_stay = claims.filter(benefit__gt=per_stay).values_list("number", "benefit", "org_path").order_by("pk")
            for number, benefit, org_path in over_stay:
                yield Finding(
                    subject=_("claim %(number)s") % {"number": number},
                    detail=_("Paid %(benefit)s, above the per-stay cap of %(cap)s.")
                    % {"benefit": format_yuan(benefit), "cap": format_yuan(per_stay)},
                    org_path=org_path,
                )
