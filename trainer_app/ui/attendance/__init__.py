"""The Attendance section: choose a lesson, mark trainees by key, button or scanner."""
