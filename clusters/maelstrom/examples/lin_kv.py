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
import json
import sys
import threading
import time

STALE_READS = "--stale-reads" in sys.argv[1:]
FORWARD_TIMEOUT_S = 1.0
PUSH_EVERY_S = 0.5

lock = threading.Lock()
node_id = None
node_ids = []
next_id = 0
kv = {}          # the map, on the holder; the pushed copy elsewhere (broken mode)
forwarded = {}   # msg_id of a forward -> (client, client msg_id, deadline)


def send(dest, body):
    sys.stdout.write(json.dumps({"src": node_id, "dest": dest, "body": body}) + "\n")
    sys.stdout.flush()


def fresh_id():
    global next_id
    next_id += 1
    return next_id


def holder():
    return node_ids[0]


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


def reply(dest, in_reply_to, body):
    send(dest, dict(body, in_reply_to=in_reply_to))


def handle(msg):
    global node_id, node_ids
    src, body = msg["src"], msg["body"]
    kind = body["type"]
    if kind == "init":
        node_id, node_ids = body["node_id"], body["node_ids"]
        reply(src, body["msg_id"], {"type": "init_ok"})
    elif kind in ("read", "write", "cas"):
        if node_id == holder() or (STALE_READS and kind == "read"):
            reply(src, body["msg_id"], apply(body))
        else:
            mid = fresh_id()
            forwarded[mid] = (src, body["msg_id"], time.monotonic() + FORWARD_TIMEOUT_S)
            send(holder(), {"type": "forward", "msg_id": mid, "request": body})
    elif kind == "forward":
        reply(src, body["msg_id"], {"type": "forward_ok", "reply": apply(body["request"])})
    elif kind == "forward_ok":
        waiting = forwarded.pop(body["in_reply_to"], None)
        if waiting:
            reply(waiting[0], waiting[1], body["reply"])
    elif kind == "push":
        kv.clear()
        kv.update(body["kv"])


def tick():
    """Time out forwards; in broken mode, push the map from the holder."""
    last_push = 0.0
    while True:
        time.sleep(0.05)
        with lock:
            if node_id is None:
                continue
            now = time.monotonic()
            for mid, (client, client_msg, deadline) in list(forwarded.items()):
                if now >= deadline:
                    del forwarded[mid]
                    reply(client, client_msg, {"type": "error", "code": 0, "text": "no answer from " + holder()})
            if STALE_READS and node_id == holder() and now - last_push >= PUSH_EVERY_S:
                last_push = now
                for other in node_ids:
                    if other != node_id:
                        send(other, {"type": "push", "kv": kv})


threading.Thread(target=tick, daemon=True).start()
for line in sys.stdin:
    if line.strip():
        with lock:
            handle(json.loads(line))
