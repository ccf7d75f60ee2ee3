"""The stand-in's placeholder synthesis (never AI music; files are written with the engine's codec).

- `synth`: renders a simple placeholder arrangement at a requested length, tempo, key and metre.

Helpers: `theory` (scales and chords), `score` (a track's seeded choices), `bars` (the notes of a
bar), `voices` (instrument sounds).
"""
