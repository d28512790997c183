"""The bulletin as files: a PDF (reportlab, with the Adobe CID font STSong-Light, which every PDF reader has for
Chinese, so no font file ships) and an xlsx (openpyxl). Both render ``bulletin_data`` (live or as published)."""

import io

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from unionportal.core.display import format_figure
from unionportal.core.sheets import safe_row

from ..values import month_label

PDF_TYPE = "application/pdf"
FONT = "STSong-Light"
COLOURS = [colors.HexColor("#b71c1c"), colors.HexColor("#1565c0"), colors.HexColor("#2e7d32"),
           colors.HexColor("#f9a825"), colors.HexColor("#6a1b9a")]  # fmt: skip


def title(data: dict) -> str:
    from datetime import date

    year, month = (int(part) for part in data["month"].split("-"))
    portal = settings.PORTAL_TITLE or _("Shangluo Federation of Trade Unions")
    return _("%(portal)s: bulletin of the monthly figures, %(month)s") % {
        "portal": portal,
        "month": month_label(date(year, month, 1)),
    }


def _dash(value, *, grouped: bool = False) -> str:
    if value in (None, ""):
        return "—"
    return format_figure(value) if grouped else str(value)


def _pct(value) -> str:
    return "—" if value is None else f"{value}%"


def totals_table(data: dict, *, grouped: bool = False) -> list[list[str]]:
    """The city totals; ``grouped`` for reading (the PDF: 791,220.00), plain for a spreadsheet."""
    rows = [[_("Indicator"), _("Unit"), _("This month"), _("Month on month"), _("Year on year"),
             _("Year to date"), _("YTD year on year")]]  # fmt: skip
    for r in data["totals"]:
        rows.append([r["name"], r["unit"], _dash(r["value"], grouped=grouped), _pct(r["mom"]), _pct(r["yoy"]),
                     _dash(r["ytd"], grouped=grouped), _pct(r["ytd_yoy"])])  # fmt: skip
    return rows


def ranking_table(data: dict) -> list[list[str]]:
    rows = [[_("Rank"), _("County"), _("Score"), _("Target progress"), _("Growth points"), _("On time"),
             _("先进 eligibility")]]  # fmt: skip
    for r in data["ranking"]:
        rows.append([str(r["rank"]), r["county"], r["score"], r["progress"], r["growth"], r["on_time"],
                     eligibility_text(r)])  # fmt: skip
    return rows


def eligibility_text(row: dict) -> str:
    if row["eligible"] is None:
        return _("no target")
    if row["eligible"]:
        return _("eligible")
    return _("not eligible for 先进")


def late_table(data: dict) -> list[list[str]]:
    rows = [[_("County"), _("Status"), _("First submitted"), _("Approved")]]
    for r in data["late"]:
        submitted = r["submitted_at"][:10] if r["submitted_at"] else _("not submitted")
        rows.append([r["county"], r["status"], submitted, _("yes") if r["approved"] else _("no")])
    return rows


def rules_text(data: dict) -> list[str]:
    rule = data["rule"]
    lines = [
        _("Score = (%(wp)s × progress + %(wg)s × growth + %(wt)s × on time) ÷ (%(wp)s + %(wg)s + %(wt)s), "
          "rounded to 0.01.") % {"wp": rule["weight_progress"], "wg": rule["weight_growth"],
                                 "wt": rule["weight_on_time"]},
        _("Progress: year-to-date approved figure ÷ (annual target × %(elapsed)s%% of the year elapsed) × 100, "
          "averaged over the county's targets; 100 = on schedule; each ratio capped at %(cap)s.")
        % {"elapsed": data["elapsed"], "cap": rule["ratio_cap"]},
        _("Growth: year to date ÷ the same months a year earlier × 100 (100 = level), averaged over: %(names)s; "
          "no figure a year earlier counts as level.") % {"names": "、".join(rule["growth"]) or "—"},
        _("On time: 100 when the month's report was first submitted by its due day, else 0."),
        _("Equal scores share a rank and the next rank is skipped; nothing else breaks a tie."),
    ]  # fmt: skip
    if rule["eligibility"]:
        lines.append(
            _("先进: a county whose year-to-date %(indicator)s is below %(elapsed)s%% of its annual target "
              "(the share of the year elapsed; 100%% in December) cannot be rated 先进.")
            % {"indicator": rule["eligibility"], "elapsed": data["elapsed"]}
        )  # fmt: skip
    for tie in data["ties"]:
        lines.append(
            _("%(counties)s have equal scores (%(score)s) and share rank %(rank)s.")
            % {"counties": "、".join(tie["counties"]), "score": tie["score"], "rank": tie["rank"]}
        )
    return lines


# --- PDF -------------------------------------------------------------------------------------------


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _pdf_table(rows: list[list[str]], widths=None) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle([
            ("FONT", (0, 0), (-1, -1), FONT, 9),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ])
    )  # fmt: skip
    return table


def _score_chart(data: dict) -> Drawing:
    chart_data = next(c for c in data["charts"] if c["id"] == "scores")
    drawing = Drawing(250 * mm, 70 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 12 * mm, 170 * mm, 52 * mm
    chart.data = [[float(v or 0) for v in ds["values"]] for ds in chart_data["datasets"]]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = chart_data["labels"]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 8
    for n in range(len(chart.data)):
        chart.bars[n].fillColor = COLOURS[n % len(COLOURS)]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 192 * mm, 55 * mm
    legend.fontName, legend.fontSize = FONT, 8
    legend.colorNamePairs = [(COLOURS[n % len(COLOURS)], ds["label"]) for n, ds in enumerate(chart_data["datasets"])]
    drawing.add(legend)
    return drawing


def pdf_bytes(data: dict, *, published: str = "") -> bytes:
    """The bulletin on A4 landscape pages: title, totals, ranking (with a bar chart), rules, late counties,
    corrections."""
    _register_font()
    heading = ParagraphStyle("h", fontName=FONT, fontSize=15, leading=20, spaceAfter=6)
    subheading = ParagraphStyle("h2", fontName=FONT, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=4)
    body = ParagraphStyle("b", fontName=FONT, fontSize=9, leading=13)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=12 * mm,
        bottomMargin=12 * mm, title=title(data), author=settings.PORTAL_TITLE or "",
    )  # fmt: skip
    story = [Paragraph(title(data), heading)]
    summary = _("%(approved)s of %(counties)s counties approved.") % {
        "approved": data["approved"],
        "counties": data["counties"],
    }
    if published:
        summary += " " + _("Published %(when)s.") % {"when": published}
    story.append(Paragraph(summary, body))
    story += [Paragraph(_("City totals"), subheading), _pdf_table(totals_table(data, grouped=True))]
    story += [Paragraph(_("Ranking"), subheading), _pdf_table(ranking_table(data)), Spacer(1, 4 * mm)]
    story.append(_score_chart(data))
    story.append(Paragraph(_("How the ranking is computed"), subheading))
    story += [Paragraph(line, body) for line in rules_text(data)]
    story.append(Paragraph(_("Late or missing reports"), subheading))
    if data["late"]:
        story.append(_pdf_table(late_table(data)))
    else:
        story.append(Paragraph(_("Every county filed by the due day."), body))
    if data["corrections"]:
        story.append(Paragraph(_("Corrections since the previous bulletin"), subheading))
        for c in data["corrections"]:
            story.append(Paragraph(_("%(county)s, %(month)s, revision %(revision)s: %(reason)s") % c, body))
    doc.build(story)
    return out.getvalue()


# --- xlsx ------------------------------------------------------------------------------------------


def _sheet(workbook: Workbook, name: str, rows: list[list[str]], *, first: bool = False):
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = name[:31]
    for row in rows:
        sheet.append(safe_row(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = max(
            10, min(60, max(len(str(c.value or "")) for c in column) * 2)
        )
    sheet.freeze_panes = "A2"
    return sheet


def xlsx_bytes(data: dict) -> bytes:
    """Sheets: the ranking, the city totals, late counties, the rules (and ties), each chart's numbers."""
    from ..dashboards import chart_rows

    workbook = Workbook()
    _sheet(workbook, _("Ranking"), ranking_table(data), first=True)
    _sheet(workbook, _("City totals"), totals_table(data))
    _sheet(workbook, _("Late or missing reports"), late_table(data))
    rules = _sheet(workbook, _("Rules"), [[title(data)], *[[line] for line in rules_text(data)]])
    rules.column_dimensions["A"].width = 120
    for row in rules.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True)
    for chart in data["charts"]:
        _sheet(workbook, chart["title"], chart_rows({**chart, "label_heading": _("County")}))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
