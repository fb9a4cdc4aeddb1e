"""The run's own phases that send requests themselves: pagination walks and resource lifecycles."""
