"""One module per page: ``layout(**query)`` plus ``register_callbacks(app, data)``."""
