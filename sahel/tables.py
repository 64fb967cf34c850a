"""Where the table reader and writer were: now :mod:`sahel.store.tables` (kept for modules not yet moved)."""
import csv
import io

from .store.tables import csv_header, csv_rows, read_table, row_cells, write_tables

__all__ = ["csv_header", "csv_row_list", "csv_rows", "read_table", "write_tables"]


def csv_row_list(df, schema) -> list[str]:
    """:func:`~sahel.store.tables.csv_rows`, one string per row (used by the reconciliation before issue 16)."""
    out = []
    for row in row_cells(df, schema):
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(row)
        out.append(buf.getvalue())
    return out
