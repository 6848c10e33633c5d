"""Spreadsheets the portal hands out: a text cell never starts a formula (CSV injection).

A spreadsheet runs a cell that starts with =, +, -, @, a tab or a carriage return as a formula
(OWASP, "CSV Injection"): a catalogue entry or an audit row typed as =HYPERLINK(...) would
become a live link or a command in the admin's spreadsheet. Every export prefixes such a cell
with a single quote, which spreadsheets read as "this is text". Importing a file we exported
takes the quote off again, so an export → edit → import round trip changes nothing.

django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is not used: it only drops a
leading "=" (the text changes, + - @ stay live) and writes empty cells as "None".
"""
import tablib
from import_export.formats import base_formats

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def defuse(value):
    """The cell as a spreadsheet should show it: text that would start a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return QUOTE + value
    return value


def restore(value):
    """The text a defused cell stood for (the inverse of defuse, for imports)."""
    if isinstance(value, str) and value.startswith(QUOTE) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _mapped(dataset, function):
    copy = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        copy.append([function(cell) for cell in row])
    return copy


class _Defused:
    def export_data(self, dataset, **kwargs):
        return super().export_data(_mapped(dataset, defuse), **kwargs)

    def create_dataset(self, in_stream, **kwargs):
        return _mapped(super().create_dataset(in_stream, **kwargs), restore)


class CSV(_Defused, base_formats.CSV):
    pass


class XLSX(_Defused, base_formats.XLSX):
    def create_dataset(self, in_stream):  # the base XLSX takes no keyword arguments
        return _mapped(base_formats.XLSX.create_dataset(self, in_stream), restore)


# The formats every import-export admin offers (tests/portal/test_exports.py checks each one).
FORMATS = [XLSX, CSV]
