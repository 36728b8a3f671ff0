"""Sync layer: y-websocket codec, app messages, rooms."""
