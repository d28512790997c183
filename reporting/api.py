"""The monthly report in the JSON API: a county's own system reads and files its figures with a token.

``GET  /api/v1/reporting/reports/<county code>/<YYYY-MM>/`` the report as it stands;
``POST`` the same address with ``{"figures": {code: value}, "reasons": {code: text}, "submit": bool}``.

The token's account must be county staff (``file_monthlyreport``); its county is its scope: another county's
report is a 404, exactly as if it did not exist. Refusals are the portal's JSON errors in Chinese:
``400 invalid`` with every problem in ``errors`` (nothing saved), ``409 locked`` for an approved month and
``409 already_submitted`` for changed figures on a report the city is reviewing. The same services as the
web form and the xlsx upload do the work, so the three ways in agree.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from unionportal.core.months import parse_month

from . import selectors, services
from .models import ReportEvent, ReportRevision
from .values import display


class FilingSerializer(serializers.Serializer):
    figures = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True, max_length=40),
        help_text="Indicator code → value (number or text); codes left out keep their value.",
    )
    reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=300),
        required=False,
        help_text="Indicator code → reason for overriding a computed figure.",
    )
    submit = serializers.BooleanField(default=False, help_text="Submit to the city after saving.")


class LineSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    source = serializers.CharField()
    computed_value = serializers.CharField(allow_null=True)
    value = serializers.CharField(allow_null=True)
    override_reason = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    county_code = serializers.CharField()
    county = serializers.CharField()
    month = serializers.CharField()
    revision = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ReportRevision.Status.choices)
    status_label = serializers.CharField()
    due_on = serializers.DateField()
    is_late = serializers.BooleanField()
    lines = LineSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField(), required=False)
    already_submitted = serializers.BooleanField(required=False)


class ReportErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class RefusalSerializer(ReportErrorSerializer):
    errors = serializers.ListField(child=serializers.CharField())


def _body(report, **extra) -> dict:
    revision = report.current_revision
    return {
        "county_code": report.county.code,
        "county": report.county.name,
        "month": report.month.strftime("%Y-%m"),
        "revision": revision.number,
        "status": revision.status,
        "status_label": revision.get_status_display(),
        "due_on": report.due_on,
        "is_late": report.is_late,
        "lines": [
            {
                "code": line.code,
                "name": line.name,
                "unit": line.get_unit_display(),
                "source": line.source,
                "computed_value": display(line.computed_value, line.value_kind) if line.is_computed else None,
                "value": display(line.value, line.value_kind) or None,
                "override_reason": line.override_reason,
            }  # fmt: skip
            for line in revision.lines.all()
        ],
        **extra,
    }


def _report(request, county_code: str, month: str):
    first = parse_month(month)
    if first is None:
        raise Http404
    return selectors.access_report_of_month(request.user, county_code=county_code, month=first)


def _refusal(code: str, messages: list[str], http_status: int) -> Response:
    return Response({"code": code, "message": " ".join(messages), "errors": messages}, status=http_status)


@extend_schema(
    methods=["GET"],
    responses={200: ReportSerializer, 403: ReportErrorSerializer, 404: ReportErrorSerializer},
)
@extend_schema(
    methods=["POST"],
    request=FilingSerializer,
    responses={
        200: ReportSerializer,
        400: OpenApiResponse(RefusalSerializer, description="Figures refused; nothing was saved."),
        403: ReportErrorSerializer,
        404: OpenApiResponse(ReportErrorSerializer, description="No such report in the account's county."),
        409: OpenApiResponse(RefusalSerializer, description="The month is locked, or the report is with the city."),
    },
)
@api_view(["GET", "POST"])
def county_report(request, county_code: str, month: str):
    """A county's monthly report: read it, file figures, submit it (county staff, own county only)."""
    if not request.user.has_perm("reporting.view_monthlyreport"):
        raise PermissionDenied
    report = _report(request, county_code, month)
    if request.method == "GET":
        return Response(ReportSerializer(_body(report)).data)
    if not request.user.has_perm(services.FILE_PERM):
        raise PermissionDenied
    filing = FilingSerializer(data=request.data)
    filing.is_valid(raise_exception=True)
    data = filing.validated_data
    status_before = report.current_revision.status
    try:
        result = services.report_file(
            actor=request.user, report=report, figures=data["figures"], reasons=data.get("reasons") or {},
            submit=data["submit"], channel=ReportEvent.Channel.API,
        )  # fmt: skip
    except ValidationError as exc:
        if status_before == ReportRevision.Status.APPROVED:
            return _refusal("locked", exc.messages, status.HTTP_409_CONFLICT)
        if status_before == ReportRevision.Status.SUBMITTED:
            return _refusal("already_submitted", exc.messages, status.HTTP_409_CONFLICT)
        return _refusal("invalid", exc.messages, status.HTTP_400_BAD_REQUEST)
    report = selectors.access_report(request.user, report.pk)
    body = _body(report, warnings=result.warnings, already_submitted=result.already_submitted)
    return Response(ReportSerializer(body).data)
