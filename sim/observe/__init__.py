"""Observations and the model: operators, hindcast and calibration (ABC)."""
