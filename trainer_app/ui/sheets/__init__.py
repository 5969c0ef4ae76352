"""Screens for attendance read from photographed or scanned signed sign-in sheets."""
