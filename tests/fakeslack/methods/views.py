"""views.open and views.publish (trigger ids, hashes)."""

from tests.fakeslack.blocks import check_view
from tests.fakeslack.errors import SlackError
from tests.fakeslack.identity import slack_id, view_hash
from tests.fakeslack.methods.common import Handler, JsonDict, MethodRequest, with_block_ids
from tests.fakeslack.model import View
from tests.fakeslack.render import view_json


def _definition(req: MethodRequest, allowed: tuple[str, ...]) -> JsonDict:
    view = check_view(req.args.get("view"), allowed_types=allowed)
    return {**view, "blocks": with_block_ids(view.get("blocks", []))}


def _new_view(
    req: MethodRequest,
    definition: JsonDict,
    *,
    root: str | None,
    previous: str | None,
    user: str | None,
) -> View:
    external_id = str(definition.get("external_id", ""))
    _check_external_id(req, external_id, None)
    view_id = slack_id("V")
    view = View(
        id=view_id,
        type=str(definition["type"]),
        definition=definition,
        hash=view_hash(),
        root_view_id=root or view_id,
        previous_view_id=previous,
        external_id=external_id,
        user=user,
    )
    req.workspace.views[view_id] = view
    req.workspace.changed()
    return view


def _check_external_id(req: MethodRequest, external_id: str, own: View | None) -> None:
    if not external_id:
        return
    for view in req.workspace.views.values():
        if view.external_id == external_id and view is not own:
            raise SlackError("duplicate_external_id")


def _answer(req: MethodRequest, view: View) -> JsonDict:
    return {"view": view_json(req.workspace, view)}


def views_open(req: MethodRequest) -> JsonDict:
    """Open a modal with a fresh trigger id."""
    definition = _definition(req, ("modal",))
    trigger = req.backend.triggers.exchange(req.args.get("trigger_id"))
    view = _new_view(req, definition, root=None, previous=None, user=trigger.user)
    return _answer(req, view)


def _check_hash(req: MethodRequest, view: View) -> None:
    wanted = req.text("hash")
    if wanted and wanted != view.hash:
        raise SlackError("hash_conflict")


def _replace(req: MethodRequest, view: View, definition: JsonDict, external_id: str) -> None:
    view.definition = definition
    view.hash = view_hash()
    view.external_id = external_id
    req.workspace.changed()


def views_publish(req: MethodRequest) -> JsonDict:
    """Publish (or replace) a user's Home tab."""
    user = req.required("user_id")
    if req.workspace.find_user(user) is None:
        raise SlackError(
            "invalid_arguments"
        )  # Slack's exact answer for an unknown user: unverified
    definition = _definition(req, ("home",))
    existing = req.workspace.home_views.get(user)
    if existing is not None:
        _check_hash(req, existing)
        _replace(req, existing, definition, str(definition.get("external_id", "")))
        return _answer(req, existing)
    view = _new_view(req, definition, root=None, previous=None, user=user)
    req.workspace.home_views[user] = view
    return _answer(req, view)


HANDLERS: dict[str, Handler] = {
    "views.open": views_open,
    "views.publish": views_publish,
}
