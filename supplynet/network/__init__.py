"""The network model: the graph and its geography, selectors and what-if scenarios."""
