"""Server addresses as they may be shown: never with the credentials a URL can carry.

`ACESTEP_API_URL=http://user:pass@host:8001` is valid (httpx sends the userinfo as HTTP Basic
auth, e.g. to a proxy in front of the server), but the name stored on jobs and shown in logs,
errors, status and reports must be `http://host:8001`.
"""

from urllib.parse import urlsplit, urlunsplit


def public_url(url: str) -> str:
    """`url` without its userinfo (`user:pass@`); anything that is not a URL is returned as is."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return _drop_userinfo_text(url)
    if not parts.scheme or not parts.netloc or "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _drop_userinfo_text(url: str) -> str:
    """Best effort for text `urlsplit` refuses (e.g. a bad IPv6 literal): cut up to the last '@'."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{path}"
