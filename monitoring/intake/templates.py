"""Templates staff fill in: one per table, CSV and XLSX, with the header and an example row."""

from __future__ import annotations

import csv
import io

from monitoring.contract import KINDS, Table
from monitoring.i18n import _
from monitoring.intake.contract_doc import column_rules, contract_text


def template_rows(table: Table) -> list[list[str]]:
    """The header and the example row of a table."""
    return [table.column_names, [table.example.get(c, "") for c in table.column_names]]


def template_csv(table: Table) -> bytes:
    """UTF-8 with BOM, so that Excel shows Cyrillic text correctly when it opens the file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(template_rows(table))
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx(table: Table) -> bytes:
    """A workbook: the table's sheet (cells formatted as text, so Excel keeps `4.1`, `2021Q1`
    and codes as typed) and a sheet explaining each column."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = table.name[:31]
    for row in template_rows(table):
        sheet.append(row)
    for index, name in enumerate(table.column_names, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = max(12, min(40, len(name) + 4))
        sheet.cell(row=1, column=index).font = Font(bold=True)
        sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet(_("How to fill in")[:31])
    guide.append([_("column"), _("required"), _("kind"), _("canonical form"), _("rules")])
    for column in table.columns:
        kind = KINDS[column.kind]
        guide.append(
            [
                column.name,
                _("yes") if column.required else "",
                contract_text(kind.label),
                contract_text(kind.canonical).replace("`", ""),
                column_rules(column).replace("`", ""),
            ]
        )
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (24, 10, 16, 30, 80), strict=True):
        guide.column_dimensions[letter].width = width
    guide.append([])
    guide.append(
        [
            _(
                "Delete the example row, keep the header on row 1, one row per {key}. Do not "
                "enter formulas: type the values."
            ).format(key=", ".join(table.key))
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
