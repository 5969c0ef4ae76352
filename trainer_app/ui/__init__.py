"""The Qt user interface: widgets, dialogs and table models. No SQL, no file formats."""
