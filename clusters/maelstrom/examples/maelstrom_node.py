"""The little every Maelstrom node needs, shared by the example nodes beside it: JSON lines on
stdin and stdout, the init handshake, fresh msg_ids, and a periodic task, with one lock so
handlers and tasks never run at once."""
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

    def send(self, dest, body):
        sys.stdout.write(json.dumps({"src": self.id, "dest": dest, "body": body}) + "\n")
        sys.stdout.flush()

    def reply(self, dest, in_reply_to, body):
        self.send(dest, dict(body, in_reply_to=in_reply_to))

    def fresh_id(self):
        self._next_id += 1
        return self._next_id

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
                else:
                    handle(src, body)
