"""Tests of the safety app."""
