"""Budgets by address, board and holder (P161, P164, P165), on a clock the test moves."""

from __future__ import annotations

import pytest

from server.auth import (
    LoginError,
    hash_token,
    login,
    looks_like_join_code,
    new_join_code,
    new_token,
)
from server.store.base import BoardRecord
from server.throttle import AuthThrottle, Buckets, ConnectionCounter, NewAuthors, retry_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_p161_a_bucket_allows_its_burst_then_refills_at_its_rate() -> None:
    clock = Clock()
    b = Buckets(per_minute=6, burst=3, clock=clock)
    assert [b.take("a") for _ in range(3)] == [0, 0, 0]
    assert b.take("a") == pytest.approx(10.0)
    assert b.wait("a") == pytest.approx(10.0)
    assert b.take("b") == 0  # other keys are untouched
    clock.now += 10
    assert b.take("a") == 0
    assert b.take("a") > 0


def test_p161_refused_takes_spend_nothing() -> None:
    clock = Clock()
    b = Buckets(per_minute=60, burst=1, clock=clock)
    b.take("a")
    for _ in range(100):
        b.take("a")
    clock.now += 1
    assert b.take("a") == 0


def test_p161_memory_is_bounded_and_the_least_recent_key_goes_first() -> None:
    b = Buckets(per_minute=1, burst=1, max_keys=3, clock=Clock())
    for key in ("a", "b", "c"):
        b.take(key)
    b.take("a")  # refused: a refusal does not make "a" recent
    b.take("d")
    assert len(b) == 3
    assert b.wait("a") == 0  # "a" was least recently spent and was dropped
    assert b.wait("b") > 0 and b.wait("d") > 0


def test_p226_refilled_buckets_are_forgotten_so_the_table_stays_small() -> None:
    # a week of passers-by: one new address a second, each taking once; a bucket of
    # 3 at 6 a minute is full again 10 s after its take
    clock = Clock()
    b = Buckets(per_minute=6, burst=3, clock=clock)
    largest = 0
    for i in range(20_000):
        b.take(f"2001:db8::{i:x}")
        largest = max(largest, len(b))
        clock.now += 1
    assert largest <= 12, largest


def test_p226_a_bucket_still_refilling_is_kept() -> None:
    clock = Clock()
    b = Buckets(per_minute=6, burst=3, clock=clock)
    for _ in range(3):
        b.take("attacker")
    for i in range(100):  # other addresses come and go meanwhile
        clock.now += 0.05
        b.take(f"10.0.0.{i}")
    assert b.wait("attacker") > 0  # not forgotten: it would start again with a full bucket
    assert len(b) == 101  # the others wait behind it, for at most its refill time
    clock.now += 30
    for i in range(60):
        b.take(f"10.0.1.{i}")
        clock.now += 1
    assert len(b) <= 12


def test_retry_seconds_is_a_whole_positive_number() -> None:
    assert retry_seconds(0.01) == 1
    assert retry_seconds(6.2) == 7
    assert retry_seconds(float("inf")) == 86_400


def test_p161_join_code_failures_count_per_board_link_tokens_do_not() -> None:
    clock = Clock()
    t = AuthThrottle(Buckets(60, 100, clock=clock), Buckets(1, 2, clock=clock))
    t.failed("a1", "board", is_code=True)
    t.failed("a2", "board", is_code=True)
    assert t.wait("a3", "board", is_code=True) > 0
    assert t.wait("a3", "board", is_code=False) == 0
    assert t.wait("a3", "other", is_code=True) == 0
    t.failed("a4", "board2", is_code=False)
    t.failed("a4", "board2", is_code=False)
    assert t.wait("a5", "board2", is_code=True) == 0


def test_p164_connection_counter_caps_and_forgets_at_zero() -> None:
    c = ConnectionCounter(2)
    assert c.acquire("a") and c.acquire("a") and not c.acquire("a")
    assert c.acquire("b")
    c.release("a")
    assert c.acquire("a")
    c.release("a")
    c.release("a")
    assert c.count("a") == 0 and "a" not in c._open


def test_p165_known_author_ids_are_free_new_ones_spend() -> None:
    n = NewAuthors(Buckets(1, 2, clock=Clock()))
    assert n.admit("b", "x", "addr") == 0
    assert n.admit("b", "y", "addr") == 0
    assert n.admit("b", "z", "addr") > 0
    assert n.admit("b", "x", "addr") == 0  # a reconnect under a known id
    assert n.admit("b", "z", "other") == 0  # another address has its own budget


class OneBoard:
    """The one store method login needs, over a real BoardRecord."""

    def __init__(self, record: BoardRecord) -> None:
        self.record = record

    async def get_board(self, board_id: str) -> BoardRecord | None:
        return self.record if board_id == self.record.id else None


@pytest.fixture
def board() -> tuple[BoardRecord, str, str]:
    token, code = new_token(), new_join_code()
    record = BoardRecord(
        id="board1",
        canvas="ko-kreation",
        canvas_version=1,
        title="t",
        locale="de",
        created_at=0.0,
        token_hashes={"participant": hash_token(token)},
        join_code=code,
    )
    return record, token, code


@pytest.mark.anyio
async def test_p163_login_refuses_a_throttled_code_before_checking_it(
    board: tuple[BoardRecord, str, str],
) -> None:
    record, token, code = board
    store = OneBoard(record)
    t = AuthThrottle(Buckets(1, 2, clock=Clock()), Buckets(60, 100, clock=Clock()))
    for _ in range(2):
        with pytest.raises(LoginError) as err:
            await login(store, t, "addr", "board1", "WRONGCOD")
        assert err.value.kind == "denied"
    with pytest.raises(LoginError) as err:
        await login(store, t, "addr", "board1", code)
    assert err.value.kind == "throttled" and err.value.retry_after == 60
    # a link token cannot be guessed: it is still checked and let in
    assert await login(store, t, "addr", "board1", token) == "participant"
    with pytest.raises(LoginError) as err:
        await login(store, t, "addr", "board1", new_token())
    assert err.value.kind == "throttled"
    with pytest.raises(LoginError) as err:
        await login(store, t, "addr", "nosuchboard", token)
    assert err.value.kind == "throttled"  # no board existence oracle either


def test_join_codes_and_tokens_are_told_apart_like_resolve_role_does() -> None:
    assert looks_like_join_code("abcd-2345") and looks_like_join_code("ABCD2345")
    assert not looks_like_join_code(new_token())
    assert not looks_like_join_code("")


def test_p164_a_cap_of_zero_means_no_cap() -> None:
    c = ConnectionCounter(0)
    assert all(c.acquire("a") for _ in range(1000))
