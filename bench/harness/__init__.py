"""The benchmark scripts' shared harness (bench/ is not a package: the scripts import `harness`
as a sibling, beside `_common`).

- `procs`: servers started in their own process group and stopped with it; ports, a probe GET,
  and the last telling line of a process's output;
- `measure`: wall time and peak RSS of a command (GNU time or wait4) or of a process tree
  (VmHWM sampled over its life);
- `load`: the HTTP load generators (wrk, else a bounded asyncio client);
- `supervise`: a supervisor that restarts a crashing server, and a byte-for-byte relay in front of it;
- `peers`: the peer tools installed with npm into the user cache (Redocly, Spectral, Prism);
- `docs`: the machine and run facts, and each script's section of docs/benchmarks.md.
"""
