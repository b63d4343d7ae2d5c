"""Personal data never leaves a log line unmasked; production refuses default secrets."""

import json
import logging

import pytest
import structlog
from pydantic import ValidationError

from services.core.logging import configure_logging, mask
from services.core.settings import Settings


def test_mask_phones_and_id_numbers():
    assert mask("电话13812345678，身份证11010519491231002X") == "电话138****5678，身份证110105********X"
    assert mask("订单号 WS20261123000123") == "订单号 WS20261123000123"


def test_every_log_line_is_masked(capsys):
    configure_logging("INFO", "test")
    structlog.get_logger().info("citizen.called", phone="13812345678",
                                contact={"id_number": "11010519491231002X"})
    logging.getLogger("uvicorn.access").info("GET /x?phone=13912345678")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    text = json.dumps(lines, ensure_ascii=False)
    assert "13812345678" not in text and "11010519491231002X" not in text
    assert "13912345678" not in text
    assert lines[0]["phone"] == "138****5678" and lines[0]["service"] == "test"


def test_a_person_at_a_terminal_reads_lines_not_json(capsys):
    configure_logging("INFO", "test", fmt="console")
    structlog.get_logger().warning("consumer.not_yet_known", phone="13812345678")
    line = capsys.readouterr().out.strip()
    assert "consumer.not_yet_known" in line and "138****5678" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)
    configure_logging("INFO", "test", fmt="auto")  # a pipe, as under pytest: JSON
    structlog.get_logger().info("ticket.created")
    assert json.loads(capsys.readouterr().out)["event"] == "ticket.created"


def test_production_refuses_default_secrets():
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(env="production")
    with pytest.raises(ValidationError, match="S3_SECRET_KEY"):
        Settings(env="production", jwt_secret="x" * 40)
    assert Settings(env="production", jwt_secret="x" * 40, s3_secret_key="y" * 20).production
