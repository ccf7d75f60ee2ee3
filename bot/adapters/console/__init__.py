"""The console adapter: `acemusic chat` and the job watcher of `run`."""
