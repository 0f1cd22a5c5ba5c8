"""Pure array rules of the model. No state, no I/O, no randomness of their own.

Shapes: R runs, A actors, S sectors. Pair arrays are receiver-major where they describe
flows into an actor: ``[r, a, b, s]`` is what actor a gets from actor b in sector s.
Control arrays are controller-major: ``X[r, a, b, s]`` is the control a imposes on b.
"""
