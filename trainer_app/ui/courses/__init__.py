"""The Courses section: the station's course catalog."""
