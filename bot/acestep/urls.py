"""Server addresses as people may see them: `http://user:pass@gpu:8001` is shown as `http://gpu:8001`.

ACESTEP_API_URL may carry credentials (basic auth in the URL); they belong to the HTTP client only,
never to status replies, the Home tab, cards, reports, logs or `acemusic doctor`.
"""

from urllib.parse import urlsplit, urlunsplit


def public_url(url: str) -> str:
    """`url` without its userinfo (`user:pass@`); text that is not a URL comes back unchanged."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=host))
