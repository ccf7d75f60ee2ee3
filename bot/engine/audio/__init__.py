"""Audio: the stand-in's placeholder synthesiser, file codecs, and the checks before posting.

- `synth`: renders a simple placeholder arrangement at a requested length, tempo, key and metre.
- `codec`: encodes, writes (atomically), reads and probes mp3/wav/flac files.
- `qc`: decodes and measures a downloaded file and gives a pass/warn/fail verdict; normalises
  loudness for delivery copies.

Helpers: `theory` (scales and chords), `score` (a track's seeded choices), `bars` (the notes of a
bar), `voices` (instrument sounds), `loudness` (BS.1770 meter and peak limiter), `measure` (one
streaming pass over a file), `windows` (per-window sums), `rules` (what QC reports).
"""
