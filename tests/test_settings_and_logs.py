"""Settings refuse unusable values with a readable message; logs never show secrets."""

import logging

import pytest
from pydantic import SecretStr

from bot.logs import REDACTED, RedactingFilter, configure_logging
from bot.settings import Settings, SettingsError, load_settings


def test_server_list_is_split_and_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACESTEP_API_URL", " http://gpu-1:8001/ ,http://gpu-2:8001,builtin")
    settings = load_settings(_env_file=None)
    assert settings.acestep_api_url == ["http://gpu-1:8001", "http://gpu-2:8001", "builtin"]
    assert settings.uses_builtin_engine


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SLACK_BOT_TOKEN", "xoxb-your-bot-token", "SLACK_BOT_TOKEN still holds a placeholder"),
        ("SLACK_BOT_TOKEN", "changeme", "SLACK_BOT_TOKEN still holds a placeholder"),
        ("ACESTEP_API_KEY", "", "ACESTEP_API_KEY is set but empty"),
        ("ACESTEP_API_KEY", "<api key here>", "ACESTEP_API_KEY still holds a placeholder"),
        ("SLACK_APP_TOKEN", "xoxb-123-456", "SLACK_APP_TOKEN must start with 'xapp-'"),
        ("ACESTEP_API_URL", "gpu-box:8001", "'gpu-box:8001' is not a server address"),
        ("PORT", "eighty", "PORT: Input should be a valid integer"),
        ("AUDIO_CHECK_WORKERS", "-1", "AUDIO_CHECK_WORKERS: Input should be greater than"),
        ("APPROVAL_REACTION", "✅", "'✅' is not an emoji name: write Slack's name"),
    ],
)
def test_unusable_values_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, message: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match="Configuration problem") as caught:
        load_settings(_env_file=None)
    assert message in str(caught.value)
    if value and "placeholder" in message:
        assert value not in str(caught.value)  # the refusal never repeats the secret


def test_approvers_and_the_approval_emoji_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings(_env_file=None).approval_reaction == "white_check_mark"
    monkeypatch.setenv("SLACK_APPROVER_USERS", " U0AAA1 ,U0BBB2,")
    monkeypatch.setenv("APPROVAL_REACTION", ":heavy_check_mark:")
    settings = load_settings(_env_file=None)
    assert settings.slack_approver_users == ["U0AAA1", "U0BBB2"]
    assert settings.approval_reaction == "heavy_check_mark"


def test_real_looking_secrets_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1234-5678-abcdefghijkl")
    monkeypatch.setenv("ACESTEP_API_KEY", "s3cr3t-k3y-0192")
    settings = load_settings(_env_file=None)
    assert settings.api_key == "s3cr3t-k3y-0192"
    assert "s3cr3t" not in repr(settings)


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    redactor = RedactingFilter(["s3cr3t-k3y-0192"])
    logger = logging.getLogger("test.redaction")
    logger.addFilter(redactor)
    try:
        with caplog.at_level(logging.INFO, logger="test.redaction"):
            logger.info("key %s token %s", "s3cr3t-k3y-0192", "xoxb-1-2-abc")
            logger.info("header Authorization: Bearer abc.def.ghi")
            try:
                raise ValueError("failed with xapp-1-A0-secret")
            except ValueError:
                logger.exception("boom")
    finally:
        logger.removeFilter(redactor)
    text = caplog.text
    assert "s3cr3t" not in text
    assert "xoxb-1-2-abc" not in text
    assert "abc.def.ghi" not in text
    assert "xapp-1-A0-secret" not in text
    assert text.count(REDACTED) >= 4


def test_configure_logging_installs_the_redactor_on_the_root_handler() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("WARNING", [SecretStr("hunter2-hunter2"), None])
        [handler] = root.handlers
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
        assert root.level == logging.WARNING
        record = logging.LogRecord(
            "x", logging.WARNING, __file__, 1, "pw hunter2-hunter2", None, None
        )
        handler.filter(record)
        assert record.getMessage() == f"pw {REDACTED}"
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


def test_settings_secrets_list_every_secret() -> None:
    settings = Settings(_env_file=None, slack_signing_secret=SecretStr("abcdef123456"))  # type: ignore[call-arg]
    assert SecretStr("abcdef123456") in settings.secrets
