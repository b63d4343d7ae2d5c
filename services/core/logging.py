"""structlog JSON logs with a correlation id and masked personal data."""

import logging
import re
import sys

import structlog

# Mainland mobile numbers and 18-character resident ID numbers (GB 11643).
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask(text: str) -> str:
    """Mask phone numbers and ID numbers anywhere in a string."""
    text = _ID_NUMBER.sub(lambda m: f"{m[1]}********{m[3][-1]}", text)
    return _PHONE.sub(lambda m: f"{m[1]}****{m[3]}", text)


def _mask_value(value):
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_value(v) for v in value]
    return value


def mask_personal_data(_logger, _method, event_dict: dict) -> dict:
    """structlog processor: no phone or ID number leaves the process unmasked."""
    return {key: _mask_value(value) for key, value in event_dict.items()}


def renderer(fmt: str):
    """`console` (or `auto` on a terminal): readable lines; anything else: JSON for collectors."""
    if fmt == "console" or (fmt == "auto" and sys.stdout.isatty()):
        return structlog.dev.ConsoleRenderer()
    return structlog.processors.JSONRenderer(ensure_ascii=False)


def configure_logging(level: str = "INFO", service: str = "hotline", fmt: str = "auto") -> None:
    """JSON lines on stdout, or coloured lines for a person at a terminal (`fmt` auto: a TTY);
    stdlib loggers (uvicorn, aio-pika) go through the same chain."""
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        mask_personal_data,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        cache_logger_on_first_use=False,  # lets structlog.testing.capture_logs see every logger
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            renderer(fmt),
        ],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("aio_pika").setLevel("WARNING")
    logging.getLogger("aiormq").setLevel("WARNING")
    structlog.contextvars.bind_contextvars(service=service)
