"""Test helpers importable from every test module (pytest's ``pythonpath = ["tests"]``)."""
