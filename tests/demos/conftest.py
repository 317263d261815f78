"""Tests of the seed's demos (``supervm demo``)."""

from __future__ import annotations
