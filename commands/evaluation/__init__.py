"""The listening test's commands: `eval import`, `eval prepare`, `eval status` and more."""
