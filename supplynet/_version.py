"""The version of supplynet, in a module of its own so that no import order matters."""

__version__ = "0.1.0"
