"""A broker whose messages a test can read (issue 12): a filesystem broker in a folder of the test's own,
read back as a worker would receive them; and jobs run in-process. The fixtures `queue` and `eager`
are in tests/conftest.py."""
import base64
import json
import socket

import kombu.pools

from portal.celery import app as celery_app


def point_celery_at(url, transport_options) -> None:
    """This process's producers, to `url`: the next delay() connects there (the write URL is set too,
    since Celery prefers $CELERY_BROKER_URL, which CI sets, to broker_url)."""
    celery_app.conf.broker_url = url
    celery_app.conf.broker_write_url = url
    celery_app.conf.broker_transport_options = transport_options
    kombu.pools.reset()  # forget the pooled connections to the broker configured before
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


class Queue:
    """The messages sent to a filesystem broker in a folder of the test's own."""

    def __init__(self, folder):
        self.folder = folder
        folder.mkdir()
        self.options = {"data_folder_in": str(folder), "data_folder_out": str(folder),
                        "store_processed": False, "processed_folder": str(folder)}

    def messages(self) -> list[tuple[str, list]]:
        """(task name, positional arguments) of each message, as a worker would receive it."""
        found = []
        for path in sorted(self.folder.glob("*.msg")):
            message = json.loads(path.read_text())
            args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
            found.append((message["headers"]["task"], args))
        return found

    def point_at_a_broker_that_is_down(self):
        with socket.socket() as probe:  # a port nothing listens on: connection refused at once
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        point_celery_at(f"redis://127.0.0.1:{port}/0", {"socket_connect_timeout": 0.5, "socket_timeout": 0.5})

    def point_here(self):
        point_celery_at("filesystem://", self.options)
