"""Hypothesis strategies for Telnyx data (E.164 numbers, ISO country codes, deepObject params)."""
