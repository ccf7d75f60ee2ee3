"""auth.test, users.info, apps.connections.open."""

from tests.fakeslack.errors import SlackError
from tests.fakeslack.methods.common import Handler, JsonDict, MethodRequest
from tests.fakeslack.render import user_json


def auth_test(req: MethodRequest) -> JsonDict:
    """Who the bot token belongs to (Bolt calls this once, lazily, on the first request)."""
    me = req.identity
    return {
        "url": me.workspace_url,
        "team": me.team_name,
        "user": me.bot_name,
        "team_id": me.team_id,
        "user_id": me.bot_user_id,
        "bot_id": me.bot_id,
        "app_id": me.app_id,
        "is_enterprise_install": False,
    }


def users_info(req: MethodRequest) -> JsonDict:
    """A user's profile; `user_not_found` for unknown ids."""
    user = req.workspace.find_user(req.required("user"))
    if user is None:
        raise SlackError("user_not_found")
    return {"user": user_json(req.workspace, user)}


def connections_open(req: MethodRequest) -> JsonDict:
    """A fresh, single-use Socket Mode URL on this fake."""
    return {"url": req.backend.issue_socket_url()}


HANDLERS: dict[str, Handler] = {
    "auth.test": auth_test,
    "users.info": users_info,
    "apps.connections.open": connections_open,
}
