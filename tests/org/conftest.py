# The mutual-aid fixtures (a plan, a clerk, a covered member) serve the move tests as they are.
from tests.mutualaid.conftest import clerk, covered_member, inpatient_plan  # noqa: F401
