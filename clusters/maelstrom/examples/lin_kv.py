#!/usr/bin/env python3
"""A Maelstrom lin-kv node (read / write / cas), written for faultline's tests and as an example.

Correct mode: the first node in node_ids holds the whole map; every other node forwards each
client request to it and relays the answer to the client. A forwarded request that gets no
answer within a second is answered with error 0 (timeout, indefinite): it may have happened.
So every operation takes effect at one place, in one order: linearizable.

Broken mode (--stale-reads): the holder also pushes a copy of its map to every node every
500 ms, and nodes answer reads from their copy, which is stale between pushes and stays stale
while a partition cuts them off from the holder: not linearizable.
"""
import sys
import time

sys.dont_write_bytecode = True  # leave no __pycache__ beside the examples
from maelstrom_node import Node  # noqa: E402

STALE_READS = "--stale-reads" in sys.argv[1:]
FORWARD_TIMEOUT_S = 1.0
PUSH_EVERY_S = 0.5

node = Node()
kv = {}          # the map, on the holder; the pushed copy elsewhere (broken mode)
forwarded = {}   # msg_id of a forward -> (client, client msg_id, deadline)


def holder():
    return node.ids[0]


def apply(req):
    """Execute a client request on the map; the reply body, without in_reply_to."""
    key = str(req.get("key"))
    kind = req["type"]
    if kind == "read":
        if key not in kv:
            return {"type": "error", "code": 20, "text": "no such key"}
        return {"type": "read_ok", "value": kv[key]}
    if kind == "write":
        kv[key] = req["value"]
        return {"type": "write_ok"}
    if kind == "cas":
        if key not in kv:
            return {"type": "error", "code": 20, "text": "no such key"}
        if kv[key] != req["from"]:
            return {"type": "error", "code": 22, "text": "expected %r, found %r" % (req["from"], kv[key])}
        kv[key] = req["to"]
        return {"type": "cas_ok"}
    return {"type": "error", "code": 10, "text": "unsupported request " + kind}


def handle(src, body):
    kind = body["type"]
    if kind in ("read", "write", "cas"):
        if node.id == holder() or (STALE_READS and kind == "read"):
            node.reply(src, body["msg_id"], apply(body))
        else:
            mid = node.fresh_id()
            forwarded[mid] = (src, body["msg_id"], time.monotonic() + FORWARD_TIMEOUT_S)
            node.send(holder(), {"type": "forward", "msg_id": mid, "request": body})
    elif kind == "forward":
        node.reply(src, body["msg_id"], {"type": "forward_ok", "reply": apply(body["request"])})
    elif kind == "forward_ok":
        waiting = forwarded.pop(body["in_reply_to"], None)
        if waiting:
            node.reply(waiting[0], waiting[1], body["reply"])
    elif kind == "push":
        kv.clear()
        kv.update(body["kv"])


def time_out_forwards():
    now = time.monotonic()
    for mid, (client, client_msg, deadline) in list(forwarded.items()):
        if now >= deadline:
            del forwarded[mid]
            node.reply(client, client_msg, {"type": "error", "code": 0, "text": "no answer from " + holder()})


def push():
    if node.id == holder():
        for other in node.others():
            node.send(other, {"type": "push", "kv": kv})


node.every(0.05, time_out_forwards)
if STALE_READS:
    node.every(PUSH_EVERY_S, push)
node.run(handle)
