"""The Slack adapter: the bot in a workspace (Bolt AsyncApp, Socket Mode or HTTP)."""
