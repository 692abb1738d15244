"""The synthetic demo data set: generated, labelled synthetic, loaded like real data."""

DEMO_SOURCE = "synthetic-demo"
