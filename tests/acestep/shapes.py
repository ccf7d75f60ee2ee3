"""A fake ACE-Step far side: replies shaped exactly like the real server's (ACESTEP_API.md).

HEAD shapes unless a name says PyPI. Imported by the tests with `from .shapes import ...`
(pytest runs with `--import-mode=importlib`).
"""

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

BASE_URL = "http://gpu-1.test:8001"
API_KEY = "sk-ace-TOPSECRET-4242"
CREATED = 1_770_000_000
STAMP_MS = 1_770_000_000_123
AUDIO_DIR = "/root/ACE-Step-1.5/.cache/acestep/tmp/api_audio"
TRACEBACK = (
    "Traceback (most recent call last):\n"
    '  File "/root/ACE-Step-1.5/acestep/api_server.py", line 1783, in _run_one_job\n'
    "    result = await loop.run_in_executor(executor, _blocking_generate)\n"
    '  File "/root/ACE-Step-1.5/acestep/handler.py", line 3220, in generate_music\n'
    "    raise RuntimeError(msg)\n"
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB "
    "(see /root/ACE-Step-1.5/acestep/handler.py)\n"
)

Responder = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Shapes:
    """Reply bodies exactly as the real server writes them."""

    @staticmethod
    def wrap(data: object, code: int = 200, error: str | None = None) -> dict[str, object]:
        return {
            "data": data,
            "code": code,
            "error": error,
            "timestamp": STAMP_MS,
            "extra": None,
        }

    @staticmethod
    def audio_url(name: str) -> str:
        return "/v1/audio?path=" + quote(f"{AUDIO_DIR}/{name}", safe="")

    @staticmethod
    def entry(
        task_id: str, status: int, items: list[dict[str, object]], **extra: object
    ) -> dict[str, object]:
        return {"task_id": task_id, "result": json.dumps(items), "status": status, **extra}

    @staticmethod
    def unknown(task_id: str) -> dict[str, object]:
        return {"task_id": task_id, "result": "[]", "status": 0}

    @staticmethod
    def queued_item(**over: object) -> dict[str, object]:
        item = {
            "file": "",
            "wave": "",
            "status": 0,
            "create_time": CREATED,
            "env": "development",
            "prompt": "",
            "lyrics": "",
            "metas": {},
            "progress": 0.0,
            "stage": "queued",
            "error": None,
        }
        return item | over

    @staticmethod
    def running_item(progress: float = 0.52) -> dict[str, object]:
        return {
            "file": "",
            "wave": "",
            "status": 0,
            "create_time": CREATED,
            "env": "development",
            "progress": progress,
            "stage": "Generating music (batch size: 2)...",
        }

    @staticmethod
    def succeeded_items(*names: str, bpm: object = 120) -> list[dict[str, object]]:
        metas = {
            "bpm": bpm,
            "duration": 30.0,
            "genres": "N/A",
            "keyscale": "C major",
            "timesignature": "4",
            "prompt": "hotel lobby jazz",
            "lyrics": "[Instrumental]",
        }
        common = {
            "wave": "",
            "status": 1,
            "create_time": CREATED,
            "env": "development",
            "prompt": "hotel lobby jazz",
            "lyrics": "[Instrumental]",
            "metas": metas,
            "generation_info": "**Steps:** 8\n**Time:** 4.2 s",
            "seed_value": "780017953,2893164911",
            "lm_model": "acestep-5Hz-lm-0.6B",
            "dit_model": "acestep-v15-turbo",
            "progress": 1.0,
            "stage": "succeeded",
        }
        files = [Shapes.audio_url(n) for n in names] or [""]
        return [{"file": f, **common} for f in files]

    @staticmethod
    def failed_cache_item() -> dict[str, object]:
        return {
            "file": "",
            "wave": "",
            "status": 2,
            "create_time": CREATED,
            "env": "development",
            "progress": 0.0,
            "stage": "failed",
        }

    @staticmethod
    def store_succeeded_items(*names: str) -> list[dict[str, object]]:
        metas = {"bpm": 96, "duration": 60, "genres": "", "keyscale": "D minor", "timesignature": 3}
        return [
            {
                "file": Shapes.audio_url(n),
                "wave": "",
                "status": 1,
                "create_time": CREATED,
                "env": "development",
                "prompt": "",
                "lyrics": "[Instrumental]",
                "metas": metas,
            }
            for n in names
        ]

    @staticmethod
    def pypi_failed_item() -> dict[str, object]:
        return {"file": "", "wave": "", "status": 2, "create_time": CREATED, "env": "development"}

    @staticmethod
    def head_models(*names: str) -> dict[str, object]:
        data = [
            {
                "id": f"acestep/{n}",
                "name": f"ACE-Step {n}",
                "created": CREATED,
                "input_modalities": ["text", "audio"],
                "output_modalities": ["audio", "text"],
                "context_length": 4096,
                "max_output_length": 300,
                "pricing": {"prompt": "0", "completion": "0", "request": "0"},
                "description": "AI music generation model",
                "architecture": None,
            }
            for n in names
        ]
        return {"object": "list", "data": data}

    @staticmethod
    def pypi_models(*names: str) -> dict[str, object]:
        models = [{"name": n, "is_default": i == 0} for i, n in enumerate(names)]
        return Shapes.wrap({"models": models, "default_model": names[0] if names else None})


class FakeServer:
    """Routes (method, path) to canned replies and records every request it receives."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._routes: dict[tuple[str, str], Responder] = {}

    def on(self, method: str, path: str, reply: Responder) -> None:
        self._routes[(method, path)] = reply

    def json(self, method: str, path: str, body: object, status: int = 200) -> None:
        self.on(method, path, httpx.Response(status, json=body))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self._routes.get((request.method, request.url.path))
        if reply is None:
            return httpx.Response(404, json={"detail": "Not Found"})
        if isinstance(reply, Exception):
            raise reply
        return reply(request) if callable(reply) else reply

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]
