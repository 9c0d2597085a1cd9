"""Every input of the model: the registry (levers, uncertainties, parameters), schedules, the policy table and
the run configuration."""

from .registry import CITY_TIERS, LEVERS, PARAMETERS, TIER_LOWER_BOUND, UNCERTAINTIES, Param
from .schedule import Schedule
from .policy import PolicyTable

__all__ = ["CITY_TIERS", "TIER_LOWER_BOUND", "LEVERS", "UNCERTAINTIES", "PARAMETERS", "Param", "Schedule",
           "PolicyTable"]
