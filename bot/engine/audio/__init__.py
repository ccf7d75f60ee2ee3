"""Audio: file codecs and the checks before posting (the stand-in synthesises in standin.audio).

- `codec`: encodes, writes (atomically), reads and probes mp3/wav/flac files.
- `qc`: decodes and measures a downloaded file and gives a pass/warn/fail verdict; normalises
  loudness for delivery copies.

Helpers: `loudness` (BS.1770 meter and peak limiter), `measure` (one streaming pass over a file),
`windows` (per-window sums), `rules` (what QC reports).
"""
