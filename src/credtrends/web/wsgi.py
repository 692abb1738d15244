"""WSGI entry point for production servers: ``gunicorn credtrends.web.wsgi:server``.

Each gunicorn worker imports this module and builds its own app and engine from the
settings (environment variables ``CREDTRENDS_*``); nothing is read from the warehouse
until the first request, and workers share nothing but the warehouse and the cache.
"""

from __future__ import annotations

from credtrends.config import load_settings
from credtrends.warehouse.engine import DatabaseTimeouts, create_warehouse_engine
from credtrends.web.app import create_app

settings = load_settings()
app = create_app(
    settings,
    create_warehouse_engine(settings.warehouse_url, DatabaseTimeouts.for_dashboard(settings)),
)
server = app.server
