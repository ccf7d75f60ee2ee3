"""What `acemusic serve` tells a probe or a Prometheus scraper: `/healthz` and `/metrics`.

`metrics.py` holds the counters and gauges (prometheus_client, one registry per bot);
`acestep.py` counts failed ACE-Step calls at the HTTP layer; `checks.py` decides whether the bot
is healthy (a real database query and the engine loop's last tick); `http.py` serves both on
HEALTH_HOST:HEALTH_PORT in Socket Mode and HTTP mode alike.
"""
