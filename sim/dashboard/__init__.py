"""The interactive dashboard: Mesa SolaraViz over the decoupling model (``decoupling dashboard``)."""
