"""The compiled snapshot of a network and the numba kernels that solve it."""
