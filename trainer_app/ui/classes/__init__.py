"""The Classes section: classes of a course, their lessons, enrolled trainees and completion."""
