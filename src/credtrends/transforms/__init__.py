"""Pure polars transforms: calibration, stitching, joins, scores. No I/O here."""
