"""Entry-point adapters: Slack (`slack`), the console (`console`) and the command line (`cli`)."""
