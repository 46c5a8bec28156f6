"""Running wrk against one URL: its figures, and the CPU time the server spent per request."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

CONNECTIONS = 64
THREADS = 2
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(output: str) -> dict:
    """Requests/s, p50 and p99 latency (ms) and error counts from ``wrk --latency`` output."""

    def latency(label: str) -> float:
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        return float(match[1]) * UNITS_MS[match[2]] if match else float("nan")

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0) + (int(non_2xx[1]) if non_2xx else 0)
    return {"rps": float(rate[1]) if rate else 0.0, "p50_ms": latency("50"), "p99_ms": latency("99"),
            "errors": errors}


def group_cpu_seconds(group: int) -> float:
    """CPU time (user + system) used so far by the live processes of one process group."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # fields after the name: state, ppid, pgrp, ..., utime (11), stime (12)
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def run_wrk(wrk: str, url: str, seconds: float, groups: tuple[int, ...] = ()) -> dict:
    """wrk's figures, and with ``groups`` (the server's process groups) its CPU time per request:
    unlike req/s, that hardly moves with whatever else the machine runs, so it shows a server's
    own cost."""
    command = [wrk, f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--latency", url]
    before = sum(group_cpu_seconds(group) for group in groups)
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60)
    figures = parse_wrk(result.stdout)
    requests = figures["rps"] * seconds
    used = sum(group_cpu_seconds(group) for group in groups) - before
    figures["cpu_us"] = used / requests * 1e6 if groups and requests else float("nan")
    return figures
