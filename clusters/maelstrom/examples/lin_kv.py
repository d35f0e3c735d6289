#!/usr/bin/env python3
"""A Maelstrom lin-kv node (read / write / cas), written for faultline's tests and as an example.

Correct mode: the first node in node_ids holds the whole map; every other node forwards each
client request to it and relays the answer to the client. A forwarded request that gets no
answer within a second is answered with error 0 (timeout, indefinite): it may have happened.
So every operation takes effect at one place, in one order: linearizable.

Broken mode (--stale-reads): every node keeps a copy of the map and answers reads from it. The
holder sends each write and cas to every copy and acknowledges it once all copies did; but so as
not to stall when a node is down it stops waiting after 300 ms and acknowledges anyway. With the
network whole that never happens; once a partition cuts a node off, its copy goes stale while it
still answers reads: not linearizable.
"""
import sys
import time

sys.dont_write_bytecode = True  # leave no __pycache__ beside the examples
from maelstrom_node import Node  # noqa: E402

STALE_READS = "--stale-reads" in sys.argv[1:]
FORWARD_TIMEOUT_S = 1.0
REPLICATE_WAIT_S = 0.3

node = Node()
kv = {}           # the map, on the holder; a copy elsewhere (broken mode)
forwarded = {}    # msg_id of a forward -> (client, client msg_id, deadline)
replicating = {}  # msg_id of a replication -> [nodes yet to answer, deadline, acknowledge]


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


def serve(request, respond):
    """Execute a request on the holder and respond(reply body); in broken mode, once the copies have it or 300 ms passed."""
    result = apply(request)
    if not STALE_READS or request["type"] == "read" or result["type"] == "error":
        return respond(result)
    key = str(request["key"])
    mid = node.fresh_id()
    replicating[mid] = [set(node.others()), time.monotonic() + REPLICATE_WAIT_S, lambda: respond(result)]
    for other in node.others():
        node.send(other, {"type": "replicate", "msg_id": mid, "key": key, "value": kv[key]})
    if not node.others():
        replicating.pop(mid)[2]()


def handle(src, body):
    kind = body["type"]
    if kind in ("read", "write", "cas"):
        if node.id == holder():
            serve(body, lambda reply: node.reply(src, body["msg_id"], reply))
        elif STALE_READS and kind == "read":
            node.reply(src, body["msg_id"], apply(body))
        else:
            mid = node.fresh_id()
            forwarded[mid] = (src, body["msg_id"], time.monotonic() + FORWARD_TIMEOUT_S)
            node.send(holder(), {"type": "forward", "msg_id": mid, "request": body})
    elif kind == "forward":
        serve(body["request"], lambda reply: node.reply(src, body["msg_id"], {"type": "forward_ok", "reply": reply}))
    elif kind == "forward_ok":
        waiting = forwarded.pop(body["in_reply_to"], None)
        if waiting:
            node.reply(waiting[0], waiting[1], body["reply"])
    elif kind == "replicate":
        kv[body["key"]] = body["value"]
        node.reply(src, body["msg_id"], {"type": "replicate_ok"})
    elif kind == "replicate_ok":
        waiting = replicating.get(body["in_reply_to"])
        if waiting:
            waiting[0].discard(src)
            if not waiting[0]:
                del replicating[body["in_reply_to"]]
                waiting[2]()


def time_out():
    """Answer forwards the holder never answered with error 0; in broken mode, stop waiting for copies."""
    now = time.monotonic()
    for mid, (client, client_msg, deadline) in list(forwarded.items()):
        if now >= deadline:
            del forwarded[mid]
            node.reply(client, client_msg, {"type": "error", "code": 0, "text": "no answer from " + holder()})
    for mid, (_, deadline, acknowledge) in list(replicating.items()):
        if now >= deadline:
            del replicating[mid]
            acknowledge()


node.every(0.05, time_out)
node.run(handle)
