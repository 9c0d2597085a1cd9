"""The "three rights" of a rural household: contracted farmland, the homestead, membership of the collective.

Where rights end (surrendered on settling, sold back on paid exit, or a household died out), the contracted land
goes back to the village collective, which rents it out to operators (`Counties.collective_land`, real mu).
"""

from __future__ import annotations

import numpy as np

from .people import HOMESTEAD_EXITED


def return_land_to_collective(model, households: np.ndarray) -> None:
    """The contracted land of `households` goes back to their village collective."""
    h, c = model.households, model.counties
    np.add.at(c.collective_land, h.county[households], h.land[households] * h.weight[households])
    h.land[households] = 0.0


def surrender_share_of_land(model, households: np.ndarray, share: np.ndarray) -> None:
    """`share` of the contracted land of each of `households` goes back to the village collective (the part of
    the members who left the collective)."""
    h, c = model.households, model.counties
    given = h.land[households] * share
    np.add.at(c.collective_land, h.county[households], given * h.weight[households])
    h.land[households] -= given


def surrender_rights(model, households: np.ndarray) -> None:
    """All three rights end: the land goes back to the collective, the homestead is exited (to a quota), the
    household leaves the collective."""
    h = model.households
    return_land_to_collective(model, households)
    h.homestead[households] = HOMESTEAD_EXITED
    h.collective_member[households] = False
