#!/usr/bin/env python3
"""A Maelstrom unique-ids node (which answers echo too), written as an example: an id is the node's id and a count of the
ids it handed out, unique with no coordination at all (it keeps the count in memory, so a node
killed and restarted hands its ids out again; faultline's kill nemesis finds that).

Broken mode (--count-only): the id is the count alone, which every node hands out too.
"""
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the examples
from maelstrom_node import Node  # noqa: E402

COUNT_ONLY = "--count-only" in sys.argv[1:]

node = Node()


def handle(src, body):
    if body["type"] == "generate":
        count = node.fresh_id()
        node.reply(src, body["msg_id"], {"type": "generate_ok", "id": count if COUNT_ONLY else "%s-%d" % (node.id, count)})
    elif body["type"] == "echo":
        node.reply(src, body["msg_id"], {"type": "echo_ok", "echo": body["echo"]})


node.run(handle)
