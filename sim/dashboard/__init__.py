"""The interactive dashboard: a Solara page over the Mesa model of decoupling (``decoupling dashboard``)."""
