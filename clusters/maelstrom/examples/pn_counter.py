#!/usr/bin/env python3
"""A Maelstrom pn-counter node (add a delta, read), written for faultline's tests and as an example.

Correct mode: a state-based CRDT. Each node counts its own increments (P) and decrements (N) per
node; every 100 ms it sends its whole state to every other node, which merges it by the maximum
per entry. Reads answer the local value at once: eventually consistent, and once gossip flows
every node converges on the sum of all adds.

Broken mode (--merge-adds): merging adds a peer's entries instead of taking the maximum, so the
same increments are counted again at every round of gossip.
"""
import json
import sys
import threading
import time

MERGE_ADDS = "--merge-adds" in sys.argv[1:]
GOSSIP_EVERY_S = 0.1

lock = threading.Lock()
node_id = None
node_ids = []
p = {}
n = {}


def send(dest, body):
    sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": body}) + "\n")
    sys.stdout.flush()


def merge(mine, theirs):
    for node, count in theirs.items():
        if node == node_id:
            continue  # only this node raises its own entries
        mine[node] = mine.get(node, 0) + count if MERGE_ADDS else max(mine.get(node, 0), count)


def handle(msg):
    global node_id, node_ids
    src, body = msg["src"], msg["body"]
    kind = body["type"]
    if kind == "init":
        node_id, node_ids = body["node_id"], body["node_ids"]
        send(src, {"type": "init_ok", "in_reply_to": body["msg_id"]})
    elif kind == "add":
        delta = body["delta"]
        side = p if delta >= 0 else n
        side[node_id] = side.get(node_id, 0) + abs(delta)
        send(src, {"type": "add_ok", "in_reply_to": body["msg_id"]})
    elif kind == "read":
        send(src, {"type": "read_ok", "in_reply_to": body["msg_id"], "value": sum(p.values()) - sum(n.values())})
    elif kind == "gossip":
        merge(p, body["p"])
        merge(n, body["n"])


def gossip():
    while True:
        time.sleep(GOSSIP_EVERY_S)
        with lock:
            if node_id is None:
                continue
            for other in node_ids:
                if other != node_id:
                    send(other, {"type": "gossip", "p": p, "n": n})


threading.Thread(target=gossip, daemon=True).start()
for line in sys.stdin:
    if line.strip():
        with lock:
            handle(json.loads(line))
