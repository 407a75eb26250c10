#!/usr/bin/env python3
"""Self time per operator in two Chrome traces (libtorch's profiler: GanBench through DJL, and the
PyTorch peer), side by side, biggest difference first: where one training step spends its time.

  /usr/bin/python3 bench/peer/optable.py djl.json peer.json [--top 25]

Self time = an event's duration minus that of the events nested in it on the same thread.
"""
import argparse
import collections
import json


def self_times(path):
    with open(path) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    by_thread = collections.defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            by_thread[(e.get("pid"), e.get("tid"))].append((float(e["ts"]), float(e["dur"]), e["name"]))
    total = collections.Counter()
    calls = collections.Counter()
    for evs in by_thread.values():
        evs.sort(key=lambda x: (x[0], -x[1]))
        stack = []  # [end, name, child time]
        for ts, dur, name in evs:
            while stack and stack[-1][0] <= ts:
                end, n, child = stack.pop()
                total[n] -= child
            if stack:
                stack[-1][2] += dur
            total[name] += dur
            calls[name] += 1
            stack.append([ts + dur, name, 0.0])
        while stack:
            end, n, child = stack.pop()
            total[n] -= child
    return total, calls


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("djl")
    ap.add_argument("peer")
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    (dt, dc), (pt, pc) = self_times(a.djl), self_times(a.peer)
    print(f"total self time: djl {sum(dt.values()) / 1e6:.3f} s, peer {sum(pt.values()) / 1e6:.3f} s, "
          f"ops called: djl {sum(dc.values())}, peer {sum(pc.values())}")
    print(f"{'op':<42} {'djl ms':>9} {'calls':>6} {'peer ms':>9} {'calls':>6} {'djl-peer ms':>11}")
    names = sorted(set(dt) | set(pt), key=lambda k: -abs(dt[k] - pt[k]))
    for k in names[:a.top]:
        print(f"{k[:42]:<42} {dt[k] / 1e3:9.1f} {dc[k]:6d} {pt[k] / 1e3:9.1f} {pc[k]:6d} {(dt[k] - pt[k]) / 1e3:11.1f}")


if __name__ == "__main__":
    main()
