"""The little every Maelstrom node needs, shared by the example nodes beside it: JSON lines on
stdin and stdout, the init handshake, fresh msg_ids, requests whose replies run a callback (to
peers or to Maelstrom's services), and a periodic task, with one lock so handlers, callbacks
and tasks never run at once."""
import json
import sys
import threading
import time


class Node:
    def __init__(self):
        self.id = None
        self.ids = []
        self.lock = threading.Lock()
        self._next_id = 0
        self._callbacks = {}

    def send(self, dest, body):
        sys.stdout.write(json.dumps({"src": self.id, "dest": dest, "body": body}) + "\n")
        sys.stdout.flush()

    def reply(self, dest, in_reply_to, body):
        self.send(dest, dict(body, in_reply_to=in_reply_to))

    def fresh_id(self):
        self._next_id += 1
        return self._next_id

    def rpc(self, dest, body, callback):
        """Send a request to dest; callback(reply body) runs when its reply arrives."""
        mid = self.fresh_id()
        self._callbacks[mid] = callback
        self.send(dest, dict(body, msg_id=mid))

    def kv_update(self, service, key, change, done, blind=False):
        """Read key from a key-value service, then store change(value) (value is None when the key
        does not exist) with a cas from what was read, starting over when another write got there
        first (error 22); done(None) once stored (or when change returns None: nothing to store),
        done(error body) when the service answers another error. blind: a plain write instead of
        the cas, so concurrent updates overwrite each other."""
        def stored(reply):
            if reply.get("code") == 22:
                return self.kv_update(service, key, change, done, blind)
            done(reply if reply["type"] == "error" else None)

        def got(reply):
            if reply["type"] == "error" and reply.get("code") != 20:
                return done(reply)
            value = reply.get("value") if reply["type"] == "read_ok" else None
            new = change(value)
            if new is None:
                done(None)
            elif blind:
                self.rpc(service, {"type": "write", "key": key, "value": new}, stored)
            else:
                self.rpc(service, {"type": "cas", "key": key, "from": value, "to": new, "create_if_not_exists": value is None}, stored)
        self.rpc(service, {"type": "read", "key": key}, got)

    def others(self):
        return [n for n in self.ids if n != self.id]

    def every(self, seconds, task):
        """Run task() every `seconds`, under the lock, once the node is initialised."""
        def loop():
            while True:
                time.sleep(seconds)
                with self.lock:
                    if self.id is not None:
                        task()
        threading.Thread(target=loop, daemon=True).start()

    def run(self, handle):
        """Answer init, and pass every other message to handle(src, body), until stdin ends."""
        for line in sys.stdin:
            if not line.strip():
                continue
            msg = json.loads(line)
            src, body = msg["src"], msg["body"]
            with self.lock:
                if body["type"] == "init":
                    self.id, self.ids = body["node_id"], body["node_ids"]
                    self.reply(src, body["msg_id"], {"type": "init_ok"})
                elif body.get("in_reply_to") in self._callbacks:
                    self._callbacks.pop(body["in_reply_to"])(body)
                else:
                    handle(src, body)
