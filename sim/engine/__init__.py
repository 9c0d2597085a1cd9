"""The engine: the model, its state, its agents and the phases of the yearly step (see docs/architecture.md)."""

from .agents import City, CountyTown, MigrantWorker, RuralHousehold
from .model import ChengxiangModel, no_gc_pauses

__all__ = ["ChengxiangModel", "RuralHousehold", "MigrantWorker", "CountyTown", "City", "no_gc_pauses"]
