"""HTTP and websocket routes: the only code that touches Starlette request objects."""
