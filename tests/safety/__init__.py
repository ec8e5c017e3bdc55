"""Tests of the safety app (issue 11)."""
