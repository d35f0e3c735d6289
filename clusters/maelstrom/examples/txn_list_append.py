#!/usr/bin/env python3
"""A Maelstrom txn-list-append node that keeps its whole database in Maelstrom's lin-kv
service, written for faultline's tests and as an example of a node that uses a service.

Correct mode: the database (a map from key to list) is one lin-kv value. A transaction reads
it, runs its micro-operations on a copy (reads see the transaction's own appends), and, if it
appended anything, stores the copy with a cas from what it read; when another transaction got
there first (error 22) it starts over. Another error of the service is passed on to the client. Every transaction takes effect at its cas (or, read-only,
at its read) of one linearizable key: strict serializable.

Broken mode (--blind-write): the copy is stored with a plain write instead of the cas, so two
transactions that read the same database overwrite each other's appends.
"""
import copy
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ beside the examples
from maelstrom_node import Node  # noqa: E402

BLIND_WRITE = "--blind-write" in sys.argv[1:]
DB_KEY = "db"

node = Node()


def run(txn, db):
    """The transaction's micro-operations with reads filled in, and the database after it (None if unchanged)."""
    db = copy.deepcopy(db or {})
    done = []
    changed = False
    for f, key, value in txn:
        k = str(key)
        if f == "r":
            done.append([f, key, list(db[k]) if k in db else None])
        else:
            db.setdefault(k, []).append(value)
            changed = True
            done.append([f, key, value])
    return done, (db if changed else None)


def handle(src, body):
    if body["type"] != "txn":
        return
    result = {}

    def change(db):
        result["txn"], new = run(body["txn"], db)
        return new

    def done(error):
        node.reply(src, body["msg_id"], error or {"type": "txn_ok", "txn": result["txn"]})

    node.kv_update("lin-kv", DB_KEY, change, done, blind=BLIND_WRITE)


node.run(handle)
