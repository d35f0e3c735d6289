#!/usr/bin/env python3
"""A Maelstrom g-counter / pn-counter node that keeps the count in Maelstrom's seq-kv service, as
in the Fly.io distributed-systems challenges, written for faultline's tests and as an example.

Correct mode: an add reads the count from seq-kv and stores count + delta with a cas from what
it read, starting over when the cas fails (a stale read, or another node's add got there
first); another error of the service goes to the client. A read answers what seq-kv returns, which may be a little stale: an eventually
consistent counter whose final reads count every acknowledged add.

Broken mode (--blind-write): the add stores count + delta with a plain write instead of the
cas, so concurrent adds, and adds made on a stale read, overwrite each other.
"""
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the examples
from maelstrom_node import Node  # noqa: E402

BLIND_WRITE = "--blind-write" in sys.argv[1:]
KEY = "counter"

node = Node()


def answer(src, msg_id, reply):
    """The client's answer from seq-kv's reply: a count (0 before the first add), or its error."""
    if reply["type"] == "read_ok":
        node.reply(src, msg_id, {"type": "read_ok", "value": reply["value"]})
    elif reply.get("code") == 20:
        node.reply(src, msg_id, {"type": "read_ok", "value": 0})
    else:
        node.reply(src, msg_id, reply)


def handle(src, body):
    kind = body["type"]
    if kind == "add":
        delta = body["delta"]
        done = lambda error: node.reply(src, body["msg_id"], error or {"type": "add_ok"})  # noqa: E731
        node.kv_update("seq-kv", KEY, lambda count: (count or 0) + delta, done, blind=BLIND_WRITE)
    elif kind == "read":
        node.rpc("seq-kv", {"type": "read", "key": KEY}, lambda reply: answer(src, body["msg_id"], reply))


node.run(handle)
