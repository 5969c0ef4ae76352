"""The county center's sections: its stations, imports, every station's records (read-only),
duplicates. The Overview and Reports sections live in ``ui/overview`` and ``ui/reports``."""
