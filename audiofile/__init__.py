"""Audio files on disk, below both the engine and the stand-in: one codec, one way to finish a file.

- `codec`: encodes, writes (atomically), reads and probes mp3/wav/flac files (libsndfile).
- `atomic`: a temporary file becomes the real one in one rename, with ordinary permissions; every
  file the bot finishes (downloads, audio, batch reports) goes through it.

The engine checks and delivers audio with it, the built-in stand-in writes its placeholder tracks
with it, and the Slack adapter makes previews with it; it imports nothing of the project but
`domain`, so none of them depends on another for it.
"""
