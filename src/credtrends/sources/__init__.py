"""External sources: one module per source; ``fetch`` does I/O only, ``parse`` is pure."""
