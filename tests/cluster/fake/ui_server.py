"""The fake Spark UI of the local cluster: static files over HTTP, like `python3 -m http.server`
but with a listen backlog of 128 (Jetty's order of magnitude; http.server's 5 turns bursts of
new connections into 1 s SYN retries, which measured the test server, not the forwarders).

Usage: ui_server.py ADDRESS PORT DIRECTORY
"""
import functools
import http.server
import sys


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128
    daemon_threads = True


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


def main():
    address, port, directory = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    handler = functools.partial(Handler, directory=directory)
    with Server((address, port), handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
