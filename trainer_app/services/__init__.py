"""Use cases of a station: register, schedule, take attendance. No Qt here."""
