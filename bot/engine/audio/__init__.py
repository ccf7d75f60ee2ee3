"""Audio: the checks before posting (files are read and written with the top-level `audiofile`
codec; the stand-in synthesises in standin.audio).

- `qc`: decodes and measures a downloaded file and gives a pass/warn/fail verdict; normalises
  loudness for delivery copies.

- `blind`: blinded A/B listening files (same format, loudness and true-peak ceiling, no tags).

Helpers: `loudness` (EBU R128 loudness and true peak via libebur128, peak limiter), `measure`
(one streaming pass over a file), `windows` (per-window sums), `rules` (what QC reports).
"""
