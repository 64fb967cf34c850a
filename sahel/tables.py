"""Where the table reader and writer were: now :mod:`sahel.store.tables` (kept for older imports)."""
from .store.tables import csv_header, csv_row_list, csv_rows, read_table, to_csv_text, write_tables

__all__ = ["csv_header", "csv_row_list", "csv_rows", "read_table", "to_csv_text", "write_tables"]
