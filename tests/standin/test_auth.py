"""API-key checks (ACESTEP_API.md §3): Bearer or bare key, `ai_token` first, always 401."""

import pytest

from .conftest import MakeStandIn
from .helpers import API_KEY, SHORT_JOB, StandIn

BEARER = {"Authorization": f"Bearer {API_KEY}"}


@pytest.fixture
async def locked(make_standin: MakeStandIn) -> StandIn:
    return await make_standin(api_key=API_KEY)


@pytest.mark.parametrize(
    ("headers", "body", "status", "detail"),
    [
        ({}, {}, 401, "Missing ai_token or Authorization header"),
        (BEARER, {}, 200, None),
        ({"Authorization": API_KEY}, {}, 200, None),
        ({"Authorization": "Bearer wrong"}, {}, 401, "Invalid API key"),
        ({"Authorization": f"bearer {API_KEY}"}, {}, 401, "Invalid API key"),
        ({}, {"ai_token": API_KEY}, 200, None),
        (BEARER, {"ai_token": "wrong"}, 401, "Invalid ai_token"),
        (BEARER, {"ai_token": ""}, 200, None),
    ],
)
async def test_release_task_auth(
    locked: StandIn,
    headers: dict[str, str],
    body: dict[str, str],
    status: int,
    detail: str | None,
) -> None:
    response = await locked.client.post(
        "/release_task", json={**SHORT_JOB, **body}, headers=headers
    )

    assert response.status_code == status
    if detail is not None:
        assert response.json() == {"detail": detail}


async def test_ai_token_works_in_query_result_and_format_input(locked: StandIn) -> None:
    body = {"ai_token": API_KEY, "task_id_list": ["x"], "prompt": "jazz"}
    query = await locked.client.post("/query_result", json=body)
    formatted = await locked.client.post("/format_input", json=body)

    assert query.status_code == 200
    assert formatted.status_code == 200


@pytest.mark.parametrize("path", ["/v1/stats", "/v1/audio?path=/x"])
async def test_header_only_endpoints_ignore_ai_token(locked: StandIn, path: str) -> None:
    bare = await locked.client.get(path)
    token_in_query = await locked.client.get(
        f"{path}{'&' if '?' in path else '?'}ai_token={API_KEY}"
    )
    wrong = await locked.client.get(path, headers={"Authorization": "Bearer nope"})

    assert (bare.status_code, bare.json()) == (401, {"detail": "Missing Authorization header"})
    assert token_in_query.status_code == 401
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid API key"})
    assert (await locked.client.get("/v1/stats", headers=BEARER)).status_code == 200


async def test_auth_is_checked_before_the_missing_path(locked: StandIn) -> None:
    assert (await locked.client.get("/v1/audio")).status_code == 401
    assert (await locked.client.get("/v1/audio", headers=BEARER)).status_code == 422


async def test_health_and_models_are_open(locked: StandIn) -> None:
    assert (await locked.client.get("/health")).status_code == 200
    assert (await locked.client.get("/v1/models")).status_code == 200


async def test_body_is_parsed_before_auth(locked: StandIn) -> None:
    malformed = await locked.client.post(
        "/release_task", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    not_object = await locked.client.post("/release_task", json=[1])

    assert malformed.status_code == 500
    assert not_object.status_code == 400


async def test_whole_flow_with_a_key(make_standin: MakeStandIn) -> None:
    standin = await make_standin(api_key=API_KEY, headers=BEARER)
    (item,) = await standin.run(**SHORT_JOB)

    assert (await standin.client.get(item["file"])).status_code == 401
    assert (await standin.client.get(item["file"], headers=BEARER)).status_code == 200
