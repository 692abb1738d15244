"""The fault battery as assertions: the figures ``fault_battery`` prints must hold."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.fault_battery import (
    captcha_everywhere,
    kill_then_rerun,
    storm_with_retry_after,
)


def test_429_storm_honours_retry_after_stops_at_the_bound_and_changes_nothing(
    tmp_path: Path,
) -> None:
    storm = storm_with_retry_after(tmp_path)
    assert storm.requests_sent == 3  # storm bound
    assert storm.retry_after_waits == [7.0, 7.0]  # exactly what Retry-After asked
    assert storm.rows_changed == 0
    assert "rate-limit storm: 3 HTTP 429" in storm.stopped
    assert storm.too_long_requests_sent == 1
    assert "more than the 900 s cap" in storm.too_long_message
    assert "resume after" in storm.too_long_message


def test_retry_after_as_an_http_date_is_honoured_too(tmp_path: Path) -> None:
    storm = storm_with_retry_after(tmp_path, retry_after="Wed, 21 Oct 2015 07:28:00 GMT")
    assert storm.retry_after_waits == [0.0, 0.0]  # a date in the past means "now"
    assert storm.requests_sent == 3 and storm.rows_changed == 0


def test_captcha_on_every_request_stops_at_the_same_bound_and_says_captcha(
    tmp_path: Path,
) -> None:
    captcha = captcha_everywhere(tmp_path)
    assert captcha.requests_sent_200 == captcha.requests_sent_302 == 3
    for message in (captcha.message_200, captcha.message_302):
        assert "captcha storm: 3 captcha" in message
        assert "rate limit" not in message.split("(last:")[0].replace("rate-limit", "")
    assert captcha.rows_changed == 0


def test_kill_9_then_rerun_fetches_only_what_is_missing_with_an_identical_result(
    tmp_path: Path,
) -> None:
    kill = kill_then_rerun(tmp_path)
    assert 0 < kill.landed_before_kill < kill.planned
    assert kill.fetched_by_rerun == kill.missing_after_kill
    assert kill.identical
    assert not kill.key_in_warehouse
