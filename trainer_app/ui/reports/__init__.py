"""The Reports section: a report chosen, filtered, shown as a sortable table with totals and a
chart, and exported (XLSX, CSV, PDF)."""
