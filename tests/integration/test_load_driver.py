"""The load driver sends what the running app expects: callbacks from its own list."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from credtrends.web.app import create_app
from tests.helpers import REPO, demo_dashboard

sys.path.insert(0, str(REPO / "benchmarks"))
import load_driver  # benchmarks/ is a folder of scripts, not a package


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings, engine = demo_dashboard(Path(tmp_path_factory.mktemp("driver")))
    server = make_server("127.0.0.1", 0, create_app(settings, engine).server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        engine.dispose()


def test_the_driver_finds_each_pages_callbacks_and_gets_no_errors(base: str) -> None:
    router, callbacks = load_driver.discover(base, load_driver.PAGE_PATHS)
    outputs = {callback.spec["output"] for callback in callbacks}
    assert any("interest-main-graph.figure" in output for output in outputs)
    assert any("overview-top-graph.figure" in output for output in outputs)
    assert "_pages_location" in str(router["inputs"])
    figures = load_driver.run(base, seconds=3, concurrency=2)
    assert figures["requests"] > 5
    assert figures["errors"] == 0, figures["error_kinds"]
