"""Areas (configurable levels, legacy units and their conversion), organisations, service points."""
