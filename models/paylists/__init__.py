"""The monthly payment list a commune sends to the paying organisation, and its results."""
