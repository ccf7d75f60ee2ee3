"""The `acemusic` command line (entry point `bot.adapters.cli.main:main`)."""
