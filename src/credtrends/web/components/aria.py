"""ARIA attributes for Dash components, whose Python signatures cannot name hyphenated props."""

from __future__ import annotations

from typing import Any


def aria(**attributes: str) -> dict[str, Any]:
    """``aria(label="Pages")`` -> ``{"aria-label": "Pages"}``, to splat into a component."""
    return {f"aria-{name.replace('_', '-')}": value for name, value in attributes.items()}
