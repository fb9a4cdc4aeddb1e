"""The catalogue of server faults the reference server can inject, and their mechanics.

The catalogue is data (like JSON-Schema-Test-Suite's cases): each fault has a name, what it
breaks, which operations it touches, and the check of the suite that must catch it. Faults
act in one of three ways: as a flag a pipeline stage consults (`ctx.faulty(name)`: auth,
validation, pagination, lifecycle), as a transform of the finished response, or on the
connection (hang, reset). `--fault NAME:opId[,opId]` narrows a fault to given operations.

By layer: `scopes` (which operations a fault can touch), `rewrites` (the response transforms),
`catalogue` (the faults as data), `fault_set` (the faults switched on for one server).
"""

from conformance.server.faults.catalogue import BY_NAME, CATALOGUE, Fault, parse_fault
from conformance.server.faults.fault_set import FaultSet

__all__ = ["BY_NAME", "CATALOGUE", "Fault", "FaultSet", "parse_fault"]
