#!/usr/bin/env python3
"""A grow-only set spread by gossip, written for faultline's tests and as an example. It answers
Maelstrom's g-set workload (add an element, read the set) and its broadcast workload (topology,
broadcast a message, read the messages): both ask every node to end up holding every value any
node acknowledged. A read answers the set as `value` (g-set) and as `messages` (broadcast).

Correct mode: every 100 ms each node sends each neighbour (from the topology, or every other
node when none was given) the values that neighbour has not acknowledged yet, and a neighbour
acknowledges what it got; values learned from one neighbour go on to the others. What a
partition holds back crosses once it heals.

Broken mode (--send-once): a value goes to each neighbour once, when the node first learns it,
and is never sent again: what a partition drops is lost for good.
"""
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the examples
from maelstrom_node import Node  # noqa: E402

SEND_ONCE = "--send-once" in sys.argv[1:]
GOSSIP_EVERY_S = 0.1

node = Node()
values = set()
neighbours = None  # from the topology; every other node until one comes
unacked = {}  # neighbour -> values it has not acknowledged


def current_neighbours():
    return neighbours if neighbours is not None else node.others()


def learn(new_values, source=None):
    new = [v for v in new_values if v not in values]
    values.update(new)
    for peer in current_neighbours():
        if peer == source or not new:
            continue
        if SEND_ONCE:
            node.send(peer, {"type": "gossip", "values": new})
        else:
            unacked.setdefault(peer, set()).update(new)


def handle(src, body):
    global neighbours
    kind = body["type"]
    if kind == "add":
        learn([body["element"]])
        node.reply(src, body["msg_id"], {"type": "add_ok"})
    elif kind == "broadcast":
        learn([body["message"]])
        node.reply(src, body["msg_id"], {"type": "broadcast_ok"})
    elif kind == "read":
        everything = sorted(values)
        node.reply(src, body["msg_id"], {"type": "read_ok", "value": everything, "messages": everything})
    elif kind == "topology":
        neighbours = list(body["topology"].get(node.id, []))
        unacked.clear()
        if not SEND_ONCE:
            for peer in neighbours:
                unacked[peer] = set(values)
        node.reply(src, body["msg_id"], {"type": "topology_ok"})
    elif kind == "gossip":
        learn(body["values"], source=src)
        if not SEND_ONCE:
            node.send(src, {"type": "gossip_ok", "values": body["values"]})
    elif kind == "gossip_ok":
        unacked.get(src, set()).difference_update(body["values"])


def gossip():
    for peer, pending in unacked.items():
        if pending:
            node.send(peer, {"type": "gossip", "values": sorted(pending)})


if not SEND_ONCE:
    node.every(GOSSIP_EVERY_S, gossip)
node.run(handle)
