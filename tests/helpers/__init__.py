"""Helpers that tests import (fixtures live in conftest.py files)."""
