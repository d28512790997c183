"""A roster workbook as the roster template has it, for the benchmarks that upload one."""

import io

import openpyxl

from bench.scale import members as scale
from members import roster


def roster_xlsx(people: list[tuple]) -> bytes:
    """The people as the roster template has them: Chinese headings and labels, identifiers as text."""
    col = {name: i for i, name in enumerate(scale.MEMBER_COLUMNS)}
    yes_no = {True: "是", False: "否"}
    labels = roster.LABELS
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    sheet.append([column.heading for column in roster.COLUMNS])
    for person in people:
        values = {
            "name": person[col["name"]],
            "id_number": person[col["id_number"]],
            "phone": person[col["phone"]],
            "sex": labels["sex"][person[col["sex"]]],
            "ethnicity": person[col["ethnicity"]],
            "education": labels["education"][person[col["education"]]],
            "political_status": labels["political_status"][person[col["political_status"]]],
            "household": labels["household"][person[col["household"]]],
            "is_migrant_worker": yes_no[person[col["is_migrant_worker"]]],
            "employment": labels["employment"][person[col["employment"]]],
            "new_form_group": labels["new_form_group"].get(person[col["new_form_group"]], ""),
            "employer": person[col["employer"]],
            "position": person[col["position"]],
            "is_model_worker": yes_no[person[col["is_model_worker"]]],
            "joined_on": person[col["joined_on"]].isoformat(),
        }
        sheet.append([values[column.field] for column in roster.COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
