"""Factories for the projects and money ledger."""

__all__: list[str] = []
