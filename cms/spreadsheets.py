"""CSV files people open in a spreadsheet program.

Spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
as a formula (CSV injection, OWASP). Every CSV we write passes text cells through
``formula_safe`` so they open as plain text.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: str) -> str:
    """The text as a spreadsheet shows it, never as a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
