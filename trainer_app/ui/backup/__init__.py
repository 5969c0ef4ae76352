"""Backups in the window: automatic backups while the program runs, the Backups and restore
dialog, the encrypted backup to a USB stick or folder, and restoring one."""
