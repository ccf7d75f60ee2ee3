"""Schedules: the loop that fires each persisted schedule on time."""
