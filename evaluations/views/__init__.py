"""Thin views of the evaluations package."""
