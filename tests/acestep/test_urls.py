"""Server addresses lose their credentials before anyone sees them."""

import pytest

from bot.acestep.urls import public_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pass@gpu-1:8001", "http://gpu-1:8001"),
        ("https://token@gpu.example/ace/", "https://gpu.example/ace/"),
        ("http://us%40er:p@ss@gpu:8001/x?y=1", "http://gpu:8001/x?y=1"),
        ("http://gpu-1:8001", "http://gpu-1:8001"),
        ("builtin", "builtin"),
    ],
)
def test_public_url_drops_userinfo(url: str, shown: str) -> None:
    assert public_url(url) == shown
