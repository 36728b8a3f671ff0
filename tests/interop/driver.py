"""Drive stock Node ``yjs`` + ``y-websocket`` clients from Python tests.

One Node process (``tests/interop/yclient.mjs``) hosts any number of named clients, each a
stock ``WebsocketProvider`` with its own ``Y.Doc``. This module speaks its JSON-lines protocol.

Usage::

    async with NodeYjs.start() as node:
        await node.connect("a", url="ws://127.0.0.1:8000/ws", room=board_id, params={"k": token})
        await node.add_note("a", "n1", field="A1", text="hello")
        doc = await node.wait_for_doc("b", lambda d: "n1" in d["doc"]["notes"])

``request`` returns the raw reply (``{"re": id, "ok": bool, ...}``); every other method raises
:class:`YClientCommandError` when the reply has ``ok: false``. Waiting helpers re-check their
condition whenever the Node process reports an event (document change, awareness, status)
and at least every ``poll`` seconds, under ``anyio.fail_after``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import ByteReceiveStream, Process, TaskGroup

INTEROP_DIR = Path(__file__).resolve().parent
SCRIPT = INTEROP_DIR / "yclient.mjs"
NODE_MODULES = INTEROP_DIR / "node_modules"
REQUIRED_PACKAGES = ("yjs", "y-websocket", "y-protocols", "lib0", "ws")

Reply = dict[str, Any]
Event = dict[str, Any]


class NodeYjsError(Exception):
    """The Node client process is missing, could not start, or died."""


class NodeModulesMissingError(NodeYjsError):
    """``tests/interop/node_modules`` is not installed."""


class YClientCommandError(NodeYjsError):
    """A command was answered with ``ok: false``; the full reply is in ``reply``."""

    def __init__(self, cmd: str, reply: Reply, stderr: str) -> None:
        self.cmd = cmd
        self.reply = reply
        detail = f"yclient {cmd!r} failed: {reply.get('error')} (reply: {reply})"
        if stderr:
            detail += f"\n--- node stderr (tail) ---\n{stderr}"
        super().__init__(detail)


def check_node_modules() -> None:
    """Raise :class:`NodeModulesMissingError` unless the npm packages are installed."""
    missing = [p for p in REQUIRED_PACKAGES if not (NODE_MODULES / p / "package.json").is_file()]
    if missing:
        raise NodeModulesMissingError(
            f"npm packages {', '.join(missing)} are missing from {NODE_MODULES}. "
            "Run `make test` (it runs `npm ci --prefix tests/interop`), "
            "or run `npm ci --prefix tests/interop` yourself."
        )


def find_node() -> str:
    node = shutil.which("node")
    if node is None:
        raise NodeYjsError("`node` (Node.js 20+) is not on PATH; the interop tests need it")
    return node


class _Pending:
    def __init__(self) -> None:
        self.done = anyio.Event()
        self.reply: Reply | None = None


class NodeYjs:
    """A running ``yclient.mjs`` process. Create it with ``async with NodeYjs.start()``."""

    def __init__(self, process: Process, tg: TaskGroup, stderr_lines: int = 400) -> None:
        self._process = process
        self._tg = tg
        self._next_id = 0
        self._pending: dict[int, _Pending] = {}
        self._stderr: deque[str] = deque(maxlen=stderr_lines)
        self._pulse = anyio.Event()
        self._exited: str | None = None
        self._write_lock = anyio.Lock()
        self.events: list[Event] = []
        """Every pushed event so far, oldest first (``{"ev": ..., "client": ..., ...}``)."""

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    @asynccontextmanager
    async def start(cls, *, env: Mapping[str, str] | None = None) -> AsyncIterator[NodeYjs]:
        """Start the Node process, wait until it is ready, stop it on exit.

        Raises:
            NodeModulesMissingError: ``npm ci --prefix tests/interop`` has not been run.
            NodeYjsError: ``node`` is missing or the process did not start.
        """
        check_node_modules()
        node = find_node()
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        process = await anyio.open_process([node, str(SCRIPT)], cwd=INTEROP_DIR, env=full_env)
        async with process, anyio.create_task_group() as tg:
            client = cls(process, tg)
            tg.start_soon(client._read_stdout)
            tg.start_soon(client._read_stderr)
            try:
                await client.wait_for_event(lambda e: e["ev"] == "ready", timeout=10)
                yield client
            finally:
                with anyio.CancelScope(shield=True):
                    await client._stop()
                tg.cancel_scope.cancel()

    async def _stop(self) -> None:
        if self._process.returncode is None and self._process.stdin is not None:
            try:
                await self._process.stdin.aclose()  # yclient destroys its providers and exits
            except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                pass
        with anyio.move_on_after(5):
            await self._process.wait()
        if self._process.returncode is None:
            self._process.kill()
            await self._process.wait()

    # -- reading -----------------------------------------------------------------------------

    async def _lines(self, stream: ByteReceiveStream | None) -> AsyncIterator[str]:
        if stream is None:
            return
        buf = b""
        try:
            async for chunk in stream:
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    yield line.decode("utf-8", errors="replace")
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass
        if buf:
            yield buf.decode("utf-8", errors="replace")

    async def _read_stdout(self) -> None:
        async for line in self._lines(self._process.stdout):
            if not line.strip():
                continue
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                self._stderr.append(f"[stdout, not JSON] {line}")
                continue
            if not isinstance(msg, dict):
                self._stderr.append(f"[stdout, not an object] {line}")
            elif "re" in msg:
                pending = self._pending.pop(msg["re"], None) if msg["re"] is not None else None
                if pending is None:
                    self._stderr.append(f"[stdout, unmatched reply] {line}")
                else:
                    pending.reply = msg
                    pending.done.set()
            elif "ev" in msg:
                self.events.append(msg)
                self._wake()
        code = await self._process.wait()
        self._exited = f"node exited with code {code}"
        for pending in self._pending.values():
            pending.done.set()
        self._pending.clear()
        self._wake()

    async def _read_stderr(self) -> None:
        async for line in self._lines(self._process.stderr):
            self._stderr.append(line)

    def _wake(self) -> None:
        self._pulse.set()
        self._pulse = anyio.Event()

    @property
    def stderr(self) -> str:
        """The last lines the Node process wrote to stderr (for failure messages)."""
        return "\n".join(self._stderr)

    # -- requests ----------------------------------------------------------------------------

    async def request(
        self,
        cmd: str,
        client: str | None = None,
        *,
        timeout: float = 15,  # noqa: ASYNC109 (wraps fail_after, adds node's stderr)
        **args: Any,
    ) -> Reply:
        """Send one command and return its reply (``ok`` may be false; nothing is raised).

        Args:
            cmd: command name (see ``yclient.mjs``).
            client: the client name the command applies to.
            timeout: seconds to wait for the reply.
            **args: command arguments (JSON-serialisable).

        Returns:
            The reply object ``{"re": id, "ok": bool, ...}``.
        """
        if self._exited is not None:
            raise NodeYjsError(f"{self._exited}\n--- node stderr (tail) ---\n{self.stderr}")
        self._next_id += 1
        rid = self._next_id
        msg: dict[str, Any] = {"id": rid, "cmd": cmd, **args}
        if client is not None:
            msg["client"] = client
        pending = _Pending()
        self._pending[rid] = pending
        stdin = self._process.stdin
        assert stdin is not None
        try:
            async with self._write_lock:
                await stdin.send((json.dumps(msg) + "\n").encode())
            with anyio.fail_after(timeout):
                await pending.done.wait()
        except TimeoutError:
            self._pending.pop(rid, None)
            raise TimeoutError(
                f"no reply to {cmd!r} within {timeout} s\n--- node stderr (tail) ---\n{self.stderr}"
            ) from None
        if pending.reply is None:
            raise NodeYjsError(
                f"{self._exited or 'node process gone'} before replying to {cmd!r}\n"
                f"--- node stderr (tail) ---\n{self.stderr}"
            )
        return pending.reply

    async def call(self, cmd: str, client: str | None = None, **args: Any) -> Reply:
        """Like :meth:`request`, but raise :class:`YClientCommandError` on ``ok: false``."""
        reply = await self.request(cmd, client, **args)
        if not reply.get("ok"):
            raise YClientCommandError(cmd, reply, self.stderr)
        return reply

    # -- commands ----------------------------------------------------------------------------

    async def connect(
        self,
        client: str,
        *,
        url: str,
        room: str,
        params: Mapping[str, str] | None = None,
        awareness: Any = ...,
        timeout_ms: int = 5000,
        **extra: Any,
    ) -> Reply:
        """Create client ``client`` and wait until it is synced.

        ``awareness`` (any JSON, or None) is set as the local awareness state before connecting;
        left out, the stock default ``{}`` stays (peers ignore it: its clock is 0).
        Raises :class:`YClientCommandError` if the server closes with a code >= 4400 before
        syncing (``err.reply["code"]``, ``["reason"]``) or on timeout (``["timeout"]``).
        """
        args: dict[str, Any] = {"url": url, "room": room, "params": dict(params or {})}
        if awareness is not ...:
            args["awareness"] = awareness
        return await self.call(
            "connect", client, timeout_ms=timeout_ms, timeout=timeout_ms / 1000 + 5, **args, **extra
        )

    async def add_note(
        self,
        client: str,
        note_id: str,
        *,
        field: str,
        text: str = "",
        x: float | None = None,
        y: float | None = None,
        color: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Reply:
        args: dict[str, Any] = {"note_id": note_id, "field": field, "text": text}
        for key, value in (("x", x), ("y", y), ("color", color)):
            if value is not None:
                args[key] = value
        if extra:
            args["extra"] = dict(extra)
        return await self.call("add_note", client, **args)

    async def insert_text(
        self, client: str, note_id: str, index: int, text: str, *, key: str = "text"
    ) -> Reply:
        return await self.call(
            "insert_text", client, note_id=note_id, index=index, text=text, key=key
        )

    async def delete_text(
        self, client: str, note_id: str, index: int, length: int, *, key: str = "text"
    ) -> Reply:
        return await self.call(
            "delete_text", client, note_id=note_id, index=index, length=length, key=key
        )

    async def set_key(self, client: str, note_id: str, key: str, value: Any) -> Reply:
        return await self.call("set_key", client, note_id=note_id, key=key, value=value)

    async def delete_note(self, client: str, note_id: str) -> Reply:
        return await self.call("delete_note", client, note_id=note_id)

    async def set_root_key(self, client: str, root: str, key: str, value: Any) -> Reply:
        return await self.call("set_root_key", client, root=root, key=key, value=value)

    async def set_new_root(self, client: str, name: str, key: str, value: Any) -> Reply:
        return await self.call("set_new_root", client, name=name, key=key, value=value)

    async def burst(self, client: str, count: int, prefix: str = "b", **args: Any) -> Reply:
        return await self.call("burst", client, count=count, prefix=prefix, **args)

    async def dump(self, client: str) -> Reply:
        """``{"doc": {"meta", "notes", "control"}, "other_roots", "state_vector", "synced",
        "status", "client_id"}``."""
        return await self.call("dump", client)

    async def notes(self, client: str) -> dict[str, Any]:
        doc: dict[str, Any] = (await self.dump(client))["doc"]
        notes: dict[str, Any] = doc["notes"]
        return notes

    async def set_awareness(self, client: str, state: Any) -> Reply:
        return await self.call("set_awareness", client, state=state)

    async def awareness(self, client: str) -> dict[int, Any]:
        """Awareness states this client sees (its own included), keyed by Yjs client id."""
        reply = await self.call("awareness", client)
        return {int(k): v for k, v in reply["states"].items()}

    async def client_events(self, client: str) -> Reply:
        """Close events ``[{code, reason, local}]``, status changes, permission-denied, syncs."""
        return await self.call("events", client)

    async def disconnect(self, client: str) -> Reply:
        return await self.call("disconnect", client)

    async def reconnect(self, client: str, type_at_open: dict[str, Any] | None = None) -> Reply:
        """Connect again; `type_at_open` ({note_id, text}) is appended to that note's text
        the moment the socket opens, ahead of the client's SyncStep2."""
        if type_at_open is None:
            return await self.call("reconnect", client)
        return await self.call("reconnect", client, type_at_open=type_at_open)

    async def destroy(self, client: str) -> Reply:
        return await self.call("destroy", client)

    # -- waiting -----------------------------------------------------------------------------

    def mark(self) -> int:
        """Index into :attr:`events`; pass it as ``since`` to wait only for newer events."""
        return len(self.events)

    async def wait_for(
        self,
        condition: Callable[[], Awaitable[bool] | bool],
        *,
        timeout: float = 5,  # noqa: ASYNC109 (wraps fail_after, adds node's stderr)
        poll: float = 0.25,
        what: str = "condition",
    ) -> None:
        """Wait until ``condition()`` is true; re-check on every event and every ``poll`` s."""
        try:
            with anyio.fail_after(timeout):
                while True:
                    pulse = self._pulse
                    result = condition()
                    if not isinstance(result, bool):
                        result = await result
                    if result:
                        return
                    if self._exited is not None:
                        raise NodeYjsError(f"{self._exited} while waiting for {what}")
                    with anyio.move_on_after(poll):
                        await pulse.wait()
        except TimeoutError:
            raise TimeoutError(
                f"{what} not reached within {timeout} s\n--- node stderr (tail) ---\n{self.stderr}"
            ) from None

    async def wait_for_doc(
        self,
        client: str,
        predicate: Callable[[Reply], bool],
        *,
        timeout: float = 5,  # noqa: ASYNC109 (wraps fail_after, adds the last dump)
    ) -> Reply:
        """Wait until ``predicate(dump(client))`` holds and return that dump."""
        last: list[Reply] = []

        async def check() -> bool:
            dump = await self.dump(client)
            last[:] = [dump]
            return predicate(dump)

        try:
            await self.wait_for(check, timeout=timeout, what=f"document state on {client!r}")
        except TimeoutError as e:
            raise TimeoutError(f"{e}\n--- last dump of {client!r} ---\n{last[:1]}") from None
        return last[0]

    async def wait_for_event(
        self,
        predicate: Callable[[Event], bool],
        *,
        since: int = 0,
        timeout: float = 5,  # noqa: ASYNC109 (wraps fail_after, adds node's stderr)
    ) -> Event:
        """Return the first pushed event at index >= ``since`` that matches ``predicate``."""
        found: list[Event] = []
        pos = since

        def check() -> bool:
            nonlocal pos
            while pos < len(self.events):
                event = self.events[pos]
                pos += 1
                if predicate(event):
                    found.append(event)
                    return True
            return False

        await self.wait_for(check, timeout=timeout, poll=1.0, what="event")
        return found[0]
