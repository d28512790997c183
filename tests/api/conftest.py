# The mutual-aid fixtures (a plan, a clerk, a covered member) serve the API tests as well.
from tests.mutualaid.conftest import claim, clerk, covered_member, inpatient_plan  # noqa: F401
