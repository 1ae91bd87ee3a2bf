"""Bytes in and out: read network files, validate their features, write outputs atomically."""
