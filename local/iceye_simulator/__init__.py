"""A local stand-in for ICEYE's Tasking API v2 (tasks, derivatives, OAuth2 tokens, signed-URL downloads)."""

from iceye_simulator.clock import SimClock
from iceye_simulator.faults import FaultInjector
from iceye_simulator.plans import DerivativePlan, SimFile, TaskPlan
from iceye_simulator.recording import RecordedRequest
from iceye_simulator.server import Simulator

__all__ = ["DerivativePlan", "FaultInjector", "RecordedRequest", "SimClock", "SimFile", "Simulator", "TaskPlan"]
