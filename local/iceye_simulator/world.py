"""Everything a request handler can see: the clock, the tasks, the tokens, the signer, the faults, the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from iceye_simulator.auth import TokenAuthority
from iceye_simulator.clock import SimClock
from iceye_simulator.faults import FaultInjector
from iceye_simulator.signing import UrlSigner
from iceye_simulator.tasks import TaskBook


@dataclass(frozen=True)
class World:
    """The simulator's state, shared by every request thread (each part is thread-safe on its own)."""

    clock: SimClock
    tasks: TaskBook
    authority: TokenAuthority
    signer: UrlSigner
    faults: FaultInjector
    base_url: Callable[[], str]  # read per request: known only once the server listens
    token_lifetime: Callable[[], timedelta]  # read per request: tests may change it at any time
