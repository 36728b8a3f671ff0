"""Durable storage of boards: the DocStore protocol and its implementations."""
