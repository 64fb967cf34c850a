"""Where the table reader and writer were: now :mod:`sahel.store.tables` (kept for modules not yet moved)."""
from .store.tables import csv_header, csv_lines as csv_row_list, csv_rows, read_table, write_tables

__all__ = ["csv_header", "csv_row_list", "csv_rows", "read_table", "write_tables"]
