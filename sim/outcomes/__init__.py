"""Outcomes: the metric registry (`metrics.METRICS`), national values per year (`compute`) and per-county,
per-tier and per-city tables (`breakdowns`)."""

from .metrics import KEY_METRICS, METRICS, Metric

__all__ = ["METRICS", "KEY_METRICS", "Metric"]
