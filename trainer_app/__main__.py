"""``python -m trainer_app``: the program window, or a command (see ``--help``)."""

from trainer_app.cli import main

raise SystemExit(main())
