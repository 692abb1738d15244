"""Pipelines: one module per source, from raw payload to warehouse tables.

They hold the glue the pure parts cannot: landing raw payloads, loading parsed frames in one
transaction per batch, and re-running transforms (calibration) over what is stored.
"""
