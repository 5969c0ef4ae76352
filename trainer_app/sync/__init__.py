"""Sync files ("bundles") between stations and their county: format, export, import, merge."""
