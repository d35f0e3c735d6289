#!/usr/bin/env python3
"""A Maelstrom pn-counter node (add a delta, read), written for faultline's tests and as an example.

Correct mode: a state-based CRDT. Each node counts its own increments (P) and decrements (N) per
node; every 100 ms it sends its whole state to every other node, which merges it by the maximum
per entry. Reads answer the local value at once: eventually consistent, and once gossip flows
every node converges on the sum of all adds.

Broken mode (--merge-adds): merging adds a peer's entries instead of taking the maximum, so the
same increments are counted again at every round of gossip.
"""
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the examples
from maelstrom_node import Node  # noqa: E402

MERGE_ADDS = "--merge-adds" in sys.argv[1:]
GOSSIP_EVERY_S = 0.1

node = Node()
p = {}
n = {}


def merge(mine, theirs):
    for peer, count in theirs.items():
        if peer == node.id:
            continue  # only this node raises its own entries
        mine[peer] = mine.get(peer, 0) + count if MERGE_ADDS else max(mine.get(peer, 0), count)


def handle(src, body):
    kind = body["type"]
    if kind == "add":
        delta = body["delta"]
        side = p if delta >= 0 else n
        side[node.id] = side.get(node.id, 0) + abs(delta)
        node.reply(src, body["msg_id"], {"type": "add_ok"})
    elif kind == "read":
        node.reply(src, body["msg_id"], {"type": "read_ok", "value": sum(p.values()) - sum(n.values())})
    elif kind == "gossip":
        merge(p, body["p"])
        merge(n, body["n"])


def gossip():
    for other in node.others():
        node.send(other, {"type": "gossip", "p": p, "n": n})


node.every(GOSSIP_EVERY_S, gossip)
node.run(handle)
