"""Analysis of results and sweeps: scenario comparison, sensitivity, scenario discovery."""
