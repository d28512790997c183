"""The JSON API for members' own mutual aid (``/api/v1/my/…``) and the staff's scoped claim list.

Member endpoints read through ``own_member``: a staff token gets a 404, another member's claim number is a 404.
The staff claim list is scoped like the pages (``selectors.claims_page``) and pages by keyset.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from members.accounts import own_member
from unionportal.core import paging
from unionportal.core.api.errors import ErrorSerializer

from .. import benefit, selectors
from ..claims import mine
from ..models import Claim

MONEY = {"max_digits": 12, "decimal_places": 2}
ZERO = Decimal("0.00")
MY_PAGE = 20
# A claim status as a plain string in the schema (an enum would collide with other apps' "status" enums).
STATUS_HELP = "received, accepted, assessed, approved, paid, returned, rejected or withdrawn"


# --- Serializers --------------------------------------------------------------------------------------------


class ClaimSummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField(source="get_status_display")
    claim_type = serializers.ChoiceField(choices=Claim.Type.choices)
    plan = serializers.CharField(source="policy.plan_version.plan.name")
    hospital = serializers.CharField()
    admitted_on = serializers.DateField()
    discharged_on = serializers.DateField()
    due_on = serializers.DateField(allow_null=True)
    days_left = serializers.SerializerMethodField()
    paid_on = serializers.DateField(allow_null=True)
    benefit = serializers.DecimalField(allow_null=True, **MONEY)

    def get_days_left(self, claim) -> int | None:
        return mine.days_left(claim)


class TimelineStepSerializer(serializers.Serializer):
    day = serializers.DateField()
    status = serializers.CharField()
    label = serializers.CharField()
    note = serializers.CharField()


class BreakdownLineSerializer(serializers.Serializer):
    label = serializers.CharField()
    base = serializers.DecimalField(max_digits=14, decimal_places=4)
    rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    shares = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class BreakdownSerializer(serializers.Serializer):
    self_paid = serializers.DecimalField(allow_null=True, **MONEY)
    deductible_applied = serializers.DecimalField(allow_null=True, **MONEY)
    days_paid = serializers.IntegerField(allow_null=True)
    lines = BreakdownLineSerializer(many=True)
    limited_by = serializers.ListField(child=serializers.CharField(), source="limit_labels")
    remaining_after = serializers.DecimalField(allow_null=True, **MONEY)
    benefit = serializers.DecimalField(**MONEY)


class PaymentFailureSerializer(serializers.Serializer):
    message = serializers.CharField()
    reason = serializers.CharField(help_text="The bank's reason, as it gave it (e.g. 户名与账号不符).")
    what_to_do = serializers.CharField()


class ClaimDetailSerializer(ClaimSummarySerializer):
    adjustment_code = serializers.CharField(help_text="adjusted_on_review when the amount was adjusted, else empty.")
    adjustment_reason = serializers.CharField(help_text="The adjustment in plain words (never a reviewer's note).")
    missing = serializers.ListField(child=serializers.CharField())
    steps = TimelineStepSerializer(many=True)
    breakdown = BreakdownSerializer(allow_null=True)
    payment_failed = PaymentFailureSerializer(
        allow_null=True, help_text="Set while the bank's return waits for a corrected account."
    )

    def to_representation(self, view):
        # The instance is a mine.ClaimView: the claim's own fields, then what the view worked out.
        data = dict(ClaimSummarySerializer(view.claim, context=self.context).data)
        # Never the assessor's own note (claim.adjustment_reason): it is internal.
        data["adjustment_code"] = view.adjustment_code
        data["adjustment_reason"] = mine.adjustment_label(view.adjustment_code)
        data["missing"] = view.missing
        data["steps"] = TimelineStepSerializer(view.steps, many=True).data
        data["breakdown"] = BreakdownSerializer(view.breakdown).data if view.breakdown else None
        data["payment_failed"] = None
        if view.payment_failure is not None:
            data["payment_failed"] = {
                "message": _("Payment failed: please correct your bank card"),
                "reason": view.payment_failure or _("the bank gave no reason"),
                "what_to_do": _("Please bring your bank card and ID card to your union's service counter. "
                                "Once the account is corrected the benefit is paid again."),
            }  # fmt: skip
        return data


class ClaimPageSerializer(serializers.Serializer):
    results = ClaimSummarySerializer(many=True)
    next_offset = serializers.IntegerField(allow_null=True)


class CoverSerializer(serializers.Serializer):
    plan = serializers.CharField(source="plan_version.plan.name")
    plan_kind = serializers.CharField(source="plan_version.plan.kind")
    shares = serializers.IntegerField()
    status = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    waiting_ends_on = serializers.DateField(allow_null=True)
    renew_by = serializers.SerializerMethodField()

    def get_renew_by(self, cover) -> str | None:
        day = mine.renewal_date(cover)
        return day.isoformat() if day else None


class EstimateRequestSerializer(serializers.Serializer):
    claim_type = serializers.ChoiceField(choices=Claim.Type.choices)
    total_cost = serializers.DecimalField(min_value=0, **MONEY)
    fund_paid = serializers.DecimalField(min_value=0, default=ZERO, **MONEY)
    serious_illness_paid = serializers.DecimalField(min_value=0, default=ZERO, **MONEY)
    self_funded = serializers.DecimalField(min_value=0, default=ZERO, **MONEY)
    days = serializers.IntegerField(min_value=0, max_value=366, default=0)


class EstimateSerializer(serializers.Serializer):
    plan = serializers.CharField()
    shares = serializers.IntegerField()
    breakdown = BreakdownSerializer()


class NoticeSerializer(serializers.Serializer):
    subject = serializers.CharField()
    body = serializers.CharField()
    sent_at = serializers.DateTimeField()


class StaffClaimQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Claim.Status.choices, required=False)
    before = serializers.IntegerField(min_value=1, max_value=2**62, required=False)


class StaffClaimSerializer(serializers.Serializer):
    """A row of the staff claim list: the columns ``selectors.claims_page`` reads, nothing that would load more."""

    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField(source="get_status_display")
    claim_type = serializers.ChoiceField(choices=Claim.Type.choices)
    received_at = serializers.DateTimeField()
    due_on = serializers.DateField(allow_null=True)
    days_left = serializers.SerializerMethodField()
    member = serializers.CharField(source="member.name")
    union_path = serializers.CharField(source="org_path")

    def get_days_left(self, claim) -> int | None:
        return mine.days_left(claim)


class StaffClaimPageSerializer(serializers.Serializer):
    results = StaffClaimSerializer(many=True)
    next_before = serializers.IntegerField(allow_null=True)


def _error(code: str, message: str, http_status: int) -> Response:
    return Response({"code": code, "message": message}, status=http_status)


# --- A member's own ------------------------------------------------------------------------------------------


@extend_schema(
    parameters=[OpenApiParameter("offset", int, description="Skip this many claims (newest first).")],
    responses={200: ClaimPageSerializer, 404: ErrorSerializer},
    operation_id="my_claims_list",
)
@api_view(["GET"])
def my_claims(request):
    """The signed-in member's claims, newest first, 20 at a time."""
    member = own_member(request.user)
    # The documented contract pages by offset (?offset=, next_offset); a member has a few dozen claims at most.
    offset = paging.offset_param(request.query_params.get("offset"))
    rows, next_offset = paging.offset_page(selectors.my_claims_queryset(member), offset=offset, size=MY_PAGE)
    return Response({"results": ClaimSummarySerializer(rows, many=True).data, "next_offset": next_offset})


@extend_schema(responses={200: ClaimDetailSerializer, 404: ErrorSerializer})
@api_view(["GET"])
def my_claim_detail(request, number):
    """One of the member's claims: timeline, promised date, missing materials, amount and its breakdown."""
    member = own_member(request.user)
    return Response(ClaimDetailSerializer(mine.claim_view(selectors.my_claim_get(member, number))).data)


@extend_schema(responses={200: CoverSerializer(many=True), 404: ErrorSerializer})
@api_view(["GET"])
def my_cover(request):
    """The member's mutual-aid cover: plans, shares, period, waiting-period end, renewal date."""
    member = own_member(request.user)
    return Response(CoverSerializer(selectors.my_covers(member), many=True).data)


@extend_schema(
    request=EstimateRequestSerializer,
    responses={200: EstimateSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
)
@api_view(["POST"])
def my_estimate(request):
    """试算 on the member's own cover today: the counter's calculation, reserving nothing."""
    member = own_member(request.user)
    query = EstimateRequestSerializer(data=request.data)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    try:
        cover, breakdown = mine.estimate(
            member=member,
            claim_type=data["claim_type"],
            settlement=benefit.Settlement(
                data["total_cost"], data["fund_paid"], data["serious_illness_paid"], data["self_funded"]
            ),
            days=data["days"],
        )
    except benefit.BenefitError as exc:
        return _error(exc.code, exc.message % exc.params if exc.params else exc.message, status.HTTP_400_BAD_REQUEST)
    if cover is None:
        return _error("no_cover", _("You have no cover of this kind today."), status.HTTP_400_BAD_REQUEST)
    return Response(
        {
            "plan": cover.plan_version.plan.name,
            "shares": cover.shares,
            "breakdown": BreakdownSerializer(breakdown).data,
        }
    )


@extend_schema(responses={200: NoticeSerializer(many=True), 404: ErrorSerializer})
@api_view(["GET"])
def my_notices(request):
    """The messages the outbox sent about the member (one-time codes shown as sent, not repeated)."""
    from unionportal.notifications.models import Notice

    member = own_member(request.user)
    notices = Notice.objects.filter(
        member_source=member._meta.label_lower, member_reference=str(member.pk), status=Notice.Status.SENT
    ).order_by("-created_at", "-pk")[:50]
    return Response(
        [{"subject": n.subject, "body": "" if n.is_secret else n.body, "sent_at": n.sent_at} for n in notices]
    )


# --- Staff ---------------------------------------------------------------------------------------------------


@extend_schema(
    parameters=[StaffClaimQuerySerializer],
    responses={200: StaffClaimPageSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
)
@api_view(["GET"])
def claim_list(request):
    """Claims in the caller's scope, newest first, 50 at a time (keyset: pass ``before`` = ``next_before``)."""
    if not request.user.has_perm("mutualaid.view_claim"):
        raise PermissionDenied
    query = StaffClaimQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    claims, next_before = selectors.claims_page(
        request.user, status=query.validated_data.get("status", ""), before=query.validated_data.get("before")
    )
    return Response({"results": StaffClaimSerializer(claims, many=True).data, "next_before": next_before})
