"""Entry-point adapters: the console, `acemusic run`, and (later) Slack."""
