"""Tests of the county console."""
