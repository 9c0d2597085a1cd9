"""China's real places from the census: counties, cities and provinces, their 2013 start and name lookup.

Data: `sim/data/geography/` (derived by `tools/build_geography.py`; sources and licences in its README).
Readers: `load_units`, `load_cities`, `load_groups`, `load_provinces`. The 2013 start: `places_2013`.
Model counties from real ones: `aggregate_units`. Names: `find_province`, `find_county`, `county_choices`,
`find_city`. The worlds built on them: `sim.engine.world.build_china_census`, `build_province_census`.
See docs/places.md.
"""

from .tables import DATA_DIR, load_cities, load_groups, load_provinces, load_units
from .start import Places2013, great_circle_km, places_2013
from .aggregate import aggregate_units
from .names import PlaceLookupError, county_choices, find_city, find_county, find_province

__all__ = ["DATA_DIR", "load_units", "load_cities", "load_groups", "load_provinces", "Places2013", "places_2013",
           "great_circle_km", "aggregate_units", "PlaceLookupError", "find_province", "find_county",
           "county_choices", "find_city"]
