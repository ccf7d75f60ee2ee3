"""auth.test, apps.connections.open, usergroups.users.list."""

from tests.fakeslack.errors import SlackError
from tests.fakeslack.methods.common import Handler, JsonDict, MethodRequest


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


def connections_open(req: MethodRequest) -> JsonDict:
    """A fresh, single-use Socket Mode URL on this fake."""
    return {"url": req.backend.issue_socket_url()}


def usergroups_users_list(req: MethodRequest) -> JsonDict:
    """A user group's members (`no_such_subteam` for a group the workspace does not have)."""
    group = req.required("usergroup")
    members = req.workspace.usergroups.get(group)
    if members is None:
        raise SlackError("no_such_subteam")
    return {"users": list(members)}


HANDLERS: dict[str, Handler] = {
    "usergroups.users.list": usergroups_users_list,
    "auth.test": auth_test,
    "apps.connections.open": connections_open,
}
