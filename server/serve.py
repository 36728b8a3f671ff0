"""uvicorn's Server with a drain step: our clients hear 4501 before the sockets close.

uvicorn closes open websockets with 1012 in its own shutdown, before the application's
lifespan shutdown runs; the stock client cannot tell that from a crash. Draining the rooms
first sends every client the documented "server restarting" code (P221). With a relay the
node then unloads its boards, which gives their leases up: another node owns them at once
instead of after the lease expires (P352).
"""

from __future__ import annotations

import asyncio
import logging
import socket

import uvicorn

log = logging.getLogger(__name__)
DRAIN_SECONDS = 5.0


class GracefulServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # stop accepting first, so drained clients reconnect to another node (P352);
        # uvicorn's own shutdown closes these again, which is harmless
        for server in self.servers:
            server.close()
        for sock in sockets or []:
            sock.close()
        # the Starlette app given to Config; its state exists once the lifespan started
        state = getattr(getattr(self.config.app, "state", None), "cocanvas", None)
        if state is not None:
            try:
                await asyncio.wait_for(state.rooms.drain(), DRAIN_SECONDS)
            except TimeoutError:
                log.warning("some connections did not close within %s s", DRAIN_SECONDS)
            try:
                await asyncio.wait_for(state.rooms.unload_all(), DRAIN_SECONDS)
            except TimeoutError:
                log.warning("boards not all unloaded within %s s", DRAIN_SECONDS)
        await super().shutdown(sockets)
