"""Batches: many jobs made together from a preset or a manifest, with an estimate up front, a
digest while they run and a report (JSON and CSV) beside the audio when they finish."""
