"""Web API method handlers, one module per family; `HANDLERS` maps method names to them."""

from tests.fakeslack.methods import chat, files, misc, views
from tests.fakeslack.methods.common import Handler, MethodRequest

HANDLERS: dict[str, Handler] = {
    **chat.HANDLERS,
    **files.HANDLERS,
    **misc.HANDLERS,
    **views.HANDLERS,
}

__all__ = ["HANDLERS", "Handler", "MethodRequest"]
