"""A y-websocket client in Python (pycrdt + websockets) that records every frame it gets.

async with PyClient.connect(server.ws, board.id, token) as client:
    await client.synced.wait()
    client.add_note("n1", "A1", "hello")
    await client.wait_for(lambda: ...)
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import anyio
from pycrdt import Doc, Map, Text
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

from server.sync import appmsg, codec
from server.sync.channel import ChannelClosedError
from server.sync.document import doc_view
from tests.support.memchannel import MemoryChannel

REMOTE = "remote"


@dataclass
class Closed:
    code: int | None
    reason: str


@dataclass
class PyClient:
    ws: ClientConnection | None
    doc: Doc[Any] = field(default_factory=Doc)
    synced: anyio.Event = field(default_factory=anyio.Event)
    closed: anyio.Event = field(default_factory=anyio.Event)
    close_info: Closed | None = None
    frames: list[bytes] = field(default_factory=list)
    denied: list[str] = field(default_factory=list)
    app_messages: list[dict[str, Any]] = field(default_factory=list)
    awareness: dict[int, dict[str, Any]] = field(default_factory=dict)
    awareness_clock: dict[int, int] = field(default_factory=dict)
    send_local: bool = True
    _changed: anyio.Event = field(default_factory=anyio.Event)
    _next_id: int = 1
    _applying: bool = False
    _outbox: list[bytes] = field(default_factory=list)
    channel: MemoryChannel | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls,
        ws_base: str,
        board_id: str,
        token: str,
        doc: Doc[Any] | None = None,
        *,
        local_host: str = "",
        **headers: str,
    ) -> AsyncIterator[PyClient]:
        """Connect; pass the `doc` of an earlier client to reconnect with its replica, and
        `local_host` (127.0.0.2 ...) to connect from another loopback address."""
        url = f"{ws_base}/{board_id}?k={token}"
        extra: dict[str, Any] = {"local_addr": (local_host, 0)} if local_host else {}
        async with ws_connect(
            url, max_size=None, compression=None, additional_headers=headers or None, **extra
        ) as ws:
            client = cls(ws) if doc is None else cls(ws, doc=doc)
            async with client._running(client._ws_reader):
                yield client

    @classmethod
    @contextlib.asynccontextmanager
    async def over(
        cls, channel: MemoryChannel, doc: Doc[Any] | None = None
    ) -> AsyncIterator[PyClient]:
        """A client on the far end of an in-memory channel pair (`doc`: reconnect with
        an earlier client's replica, as a Yjs client does)."""
        client = cls(None) if doc is None else cls(None, doc=doc)
        client.channel = channel

        async def reader() -> None:
            try:
                while True:
                    await client._receive(await channel.recv())
            except ChannelClosedError:
                peer = channel.peer
                code = peer.close_code if peer is not None else None
                client.close_info = Closed(code, peer.close_reason if peer else "")
            client.closed.set()
            client._notify()

        async with client._running(reader):
            yield client

    @contextlib.asynccontextmanager
    async def _running(
        self, reader: Callable[[], Coroutine[Any, Any, None]]
    ) -> AsyncIterator[None]:
        for name in ("meta", "notes", "control"):
            self.doc.get(name, type=Map)
        self.doc.observe(self._on_local_update)
        async with anyio.create_task_group() as tg:
            tg.start_soon(reader)
            await self.send(codec.encode_sync_step1(self.doc.get_state()))
            try:
                yield
            finally:
                tg.cancel_scope.cancel()

    # ---- wire --------------------------------------------------------------------------

    async def send(self, frame: bytes) -> None:
        try:
            if self.ws is not None:
                await self.ws.send(frame)
            elif self.channel is not None:
                await self.channel.send(frame)
        except (ConnectionClosed, ChannelClosedError):
            pass  # the reader records how it closed

    def _on_local_update(self, event: Any) -> None:
        # remote updates are applied with _applying set; only local edits go out
        if not self._applying and self.send_local:
            self._outbox.append(codec.encode_sync_update(event.update))

    async def flush(self) -> None:
        """Send local changes made since the last flush."""
        out, self._outbox = self._outbox, []
        for frame in out:
            await self.send(frame)

    def flush_burst(self) -> None:
        """Send local changes made since the last flush as one burst: all queued at once
        (an in-memory channel only), as when a socket read brings several."""
        assert self.channel is not None
        out, self._outbox = self._outbox, []
        self.channel.send_burst(out)

    def replica(self) -> Doc[Any]:
        """A copy of this client's document as it is now (same client id): edits made in
        it later are edits typed before what arrives meanwhile (`send_typed_ahead`)."""
        copy: Doc[Any] = Doc(client_id=self.doc.client_id)
        copy.apply_update(self.doc.get_update())
        return copy

    async def send_typed_ahead(self, copy: Doc[Any], edit: Callable[[Doc[Any]], None]) -> None:
        """Make `edit` in `copy`, an earlier replica, and send it as this client would
        have sent it then: it refers to ids as they were before the server answered."""
        have = self.doc.get_state()
        with copy.transaction():
            edit(copy)
        update = copy.get_update(have)
        self._applying = True
        try:
            with self.doc.transaction(origin=REMOTE):
                self.doc.apply_update(update)
        finally:
            self._applying = False
        await self.send(codec.encode_sync_update(update))

    async def _receive(self, message: bytes) -> None:
        self.frames.append(message)
        await self._handle(message)
        self._notify()

    async def _ws_reader(self) -> None:
        assert self.ws is not None
        try:
            async for message in self.ws:
                assert isinstance(message, bytes)
                await self._receive(message)
        except ConnectionClosed as exc:
            rcvd = exc.rcvd
            self.close_info = Closed(rcvd.code if rcvd else None, rcvd.reason if rcvd else "")
        else:
            self.close_info = Closed(self.ws.close_code, self.ws.close_reason or "")
        self.closed.set()
        self._notify()

    async def _handle(self, data: bytes) -> None:
        frame = codec.decode_frame(data)
        if isinstance(frame, codec.SyncStep1):
            await self.send(codec.encode_sync_step2(self.doc.get_update(frame.state_vector)))
        elif isinstance(frame, codec.SyncStep2 | codec.SyncUpdate):
            self._applying = True
            try:
                with self.doc.transaction(origin=REMOTE):
                    self.doc.apply_update(frame.update)
            finally:
                self._applying = False
            if isinstance(frame, codec.SyncStep2):
                self.synced.set()
        elif isinstance(frame, codec.AwarenessFrame):
            for entry in codec.decode_awareness(frame.payload):
                if entry.clock < self.awareness_clock.get(entry.client_id, 0):
                    continue
                self.awareness_clock[entry.client_id] = entry.clock
                if entry.is_null:
                    self.awareness.pop(entry.client_id, None)
                else:
                    self.awareness[entry.client_id] = json.loads(entry.state_json)
        elif isinstance(frame, codec.AuthFrame):
            self.denied.append(frame.reason)
        elif isinstance(frame, codec.AppFrame):
            self.app_messages.append(appmsg.decode_server_message(frame.payload))

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def wait_for(self, predicate: Callable[[], object], within: float = 5.0) -> None:
        with anyio.fail_after(within):
            while not predicate():
                await self._changed.wait()

    # ---- editing helpers ---------------------------------------------------------------

    async def wait_for_note(self, note_id: str, within: float = 5.0) -> None:
        await self.wait_for(lambda: note_id in self.notes, within)

    @property
    def notes(self) -> Map[Any]:
        notes: Map[Any] = self.doc.get("notes", type=Map)
        return notes

    def view(self) -> dict[str, Any]:
        return doc_view(self.doc)

    async def add_note(self, note_id: str, field_id: str, text: str, **extra: Any) -> None:
        with self.doc.transaction():
            self.notes[note_id] = Map({"field": field_id, "text": Text(text), **extra})
        await self.flush()

    async def insert_text(self, note_id: str, index: int, text: str) -> None:
        note = self.notes[note_id]
        body = note["text"]
        assert isinstance(body, Text)
        current = str(body)
        # pycrdt indexes Text by UTF-8 bytes
        body.insert(len(current[:index].encode()), text)
        await self.flush()

    async def set_key(self, root: str, key: str, value: Any) -> None:
        self.doc.get(root, type=Map)[key] = value
        await self.flush()

    async def set_awareness(self, client_id: int, clock: int, state: dict[str, Any] | None) -> None:
        entry = codec.AwarenessEntry(client_id, clock, json.dumps(state))
        await self.send(codec.encode_awareness(codec.encode_awareness_entries([entry])))

    async def send_request(self, op: str, **args: Any) -> int:
        """Send a request without waiting for its reply; returns its id."""
        rid = self._next_id
        self._next_id += 1
        await self.send(codec.encode_app(appmsg.encode_request(rid, op, **args)))
        return rid

    def reply_to(self, rid: int) -> dict[str, Any] | None:
        return next((m for m in self.app_messages if m.get("re") == rid), None)

    async def request(self, op: str, within: float = 5.0, **args: Any) -> dict[str, Any]:
        rid = await self.send_request(op, **args)
        found: list[dict[str, Any]] = []

        def reply() -> bool:
            found[:] = [m for m in self.app_messages if m.get("re") == rid]
            return bool(found)

        await self.wait_for(reply, within)
        return found[0]


def now_ms() -> float:
    return time.time() * 1000


def text_is(client: PyClient, note_id: str, text: str) -> Callable[[], bool]:
    """A `wait_for` predicate: the client sees note `note_id` with exactly `text`."""
    return lambda: note_id in client.notes and str(client.notes[note_id]["text"]) == text
