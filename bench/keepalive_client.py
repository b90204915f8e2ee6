#!/usr/bin/env python3
"""A tiny HTTP/1.1 client for the bench scripts, on keep-alive connections.

Count mode (callgrind.sh):
    keepalive_client.py HOST PORT COUNT CONNS
sends exactly COUNT requests, GET /, over CONNS keep-alive connections: each connection
sends its next request only after the previous response has fully arrived; the
connections run side by side. Prints one line:
    requests=COUNT ok=N failed=N connections=N reconnects=N seconds=S
and exits 0 when every request got a 200, 1 otherwise.

Idle mode (idle_rss.sh):
    keepalive_client.py --idle HOST PORT CONNS [--ready-file FILE]
opens CONNS connections, makes one request on each, then keeps them all open and idle.
When every connection has had its 200 it prints `ready connections=N` (and writes FILE),
then holds until SIGTERM, SIGINT or end of standard input.

Only 127.0.0.1-style targets are meant; no name resolution beyond what HOST is.
"""

import argparse
import errno
import resource
import selectors
import signal
import socket
import sys
import time

MAX_PENDING_CONNECTS = 256


def raise_open_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def parse_response(buf, is_head=False):
    """Return (consumed, status, keep_alive) for one complete response at the start of
    buf, or None if it has not fully arrived. Raises ValueError on a malformed one."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        if len(buf) > 65536:
            raise ValueError("response head over 64 KiB")
        return None
    head = buf[:end].decode("latin-1").split("\r\n")
    parts = head[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ValueError("bad status line: %r" % head[0])
    status = int(parts[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    connection = ",".join(headers.get("connection", [])).lower()
    keep_alive = "close" not in connection and parts[0] != "HTTP/1.0"
    pos = end + 4

    if is_head or 100 <= status < 200 or status in (204, 304):
        return pos, status, keep_alive
    if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
        while True:
            line_end = buf.find(b"\r\n", pos)
            if line_end < 0:
                return None
            size = int(buf[pos:line_end].split(b";")[0].strip(), 16)
            pos = line_end + 2
            if size == 0:
                # Trailers, if any, end with an empty line.
                trailer_end = buf.find(b"\r\n", pos)
                while trailer_end >= 0 and trailer_end != pos:
                    pos = trailer_end + 2
                    trailer_end = buf.find(b"\r\n", pos)
                if trailer_end < 0:
                    return None
                return pos + 2, status, keep_alive
            if len(buf) < pos + size + 2:
                return None
            pos += size + 2
    if "content-length" in headers:
        length = int(headers["content-length"][0])
        if len(buf) < pos + length:
            return None
        return pos + length, status, keep_alive
    # Body delimited by close: the connection cannot be reused.
    return None


class Connection:
    __slots__ = ("sock", "buf", "connected", "sent", "requests")

    def __init__(self, address):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rc = self.sock.connect_ex(address)
        if rc not in (0, errno.EINPROGRESS):
            self.sock.close()
            raise OSError(rc, "connect: " + errno.errorcode.get(rc, str(rc)))
        self.buf = b""
        self.connected = rc == 0
        self.sent = False
        self.requests = 0


class Client:
    def __init__(self, host, port, path):
        self.address = (host, port)
        self.request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: relevo-bench\r\n\r\n" % (path, host, port)).encode()
        self.selector = selectors.DefaultSelector()
        self.opened = 0
        self.reconnects = 0
        self.ok = 0
        self.failed = 0
        self.errors = []

    def open(self):
        conn = Connection(self.address)
        self.opened += 1
        self.selector.register(conn.sock, selectors.EVENT_WRITE, conn)
        return conn

    def close(self, conn):
        self.selector.unregister(conn.sock)
        conn.sock.close()

    def send(self, conn):
        conn.sock.sendall(self.request)  # a few dozen bytes: fits any empty send buffer
        conn.sent = True
        self.selector.modify(conn.sock, selectors.EVENT_READ, conn)

    def on_event(self, conn, mask):
        """Handle readiness; return the status of a completed response, "closed" when the
        connection ended without one, or None when there is nothing yet."""
        if not conn.connected:
            err = conn.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                self.errors.append("connect: " + errno.errorcode.get(err, str(err)))
                return "closed"
            conn.connected = True
        if not conn.sent:
            self.send(conn)
            return None
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return None
        except OSError as e:
            self.errors.append("recv: %s" % e)
            return "closed"
        if not data:
            if conn.buf:
                self.errors.append("connection closed mid-response")
            else:
                self.errors.append("connection closed before a response")
            return "closed"
        conn.buf += data
        parsed = parse_response(conn.buf)
        if parsed is None:
            return None
        consumed, status, keep_alive = parsed
        conn.buf = conn.buf[consumed:]
        conn.requests += 1
        conn.sent = False
        if status != 200:
            self.errors.append("status %d" % status)
        if not keep_alive:
            return ("close", status)
        return status


def run_count(args):
    client = Client(args.host, args.port, args.path)
    deadline = time.monotonic() + args.timeout
    remaining = args.count  # requests not yet started
    started = time.monotonic()
    active = {}
    for _ in range(min(args.conns, args.count)):
        conn = client.open()
        active[conn.sock.fileno()] = conn
        remaining -= 1
    while active:
        if time.monotonic() > deadline:
            print("error: timed out after %ss with %d requests unanswered" % (args.timeout, len(active)), file=sys.stderr)
            return 2
        for key, mask in client.selector.select(timeout=1.0):
            conn = key.data
            result = client.on_event(conn, mask)
            if result is None:
                continue
            fd = conn.sock.fileno()
            if result == "closed":
                client.failed += 1
                client.close(conn)
                del active[fd]
                continue
            reopen = isinstance(result, tuple)
            status = result[1] if reopen else result
            if status == 200:
                client.ok += 1
            else:
                client.failed += 1
            if remaining == 0:
                client.close(conn)
                del active[fd]
                continue
            remaining -= 1
            if reopen:
                client.close(conn)
                del active[fd]
                conn = client.open()
                client.reconnects += 1
                active[conn.sock.fileno()] = conn
            else:
                client.send(conn)
    seconds = time.monotonic() - started
    print("requests=%d ok=%d failed=%d connections=%d reconnects=%d seconds=%.3f"
          % (args.count, client.ok, client.failed, client.opened, client.reconnects, seconds))
    if client.errors:
        print("errors (first 5): %s" % "; ".join(client.errors[:5]), file=sys.stderr)
    return 0 if client.ok == args.count else 1


def run_idle(args):
    limit = raise_open_file_limit()
    if args.conns + 16 > limit:
        print("error: %d connections need more than the open-file limit %d" % (args.conns, limit), file=sys.stderr)
        return 1
    client = Client(args.host, args.port, args.path)
    deadline = time.monotonic() + args.timeout
    idle = []
    pending = 0
    to_open = args.conns
    while to_open or pending:
        while to_open and pending < MAX_PENDING_CONNECTS:
            client.open()
            to_open -= 1
            pending += 1
        if time.monotonic() > deadline:
            print("error: timed out with %d idle, %d pending" % (len(idle), pending), file=sys.stderr)
            return 2
        for key, mask in client.selector.select(timeout=1.0):
            conn = key.data
            result = client.on_event(conn, mask)
            if result is None:
                continue
            pending -= 1
            if result == 200:
                client.selector.unregister(conn.sock)
                idle.append(conn)
            else:
                print("error: a connection failed: %s" % (client.errors[-1:] or [result]), file=sys.stderr)
                return 1
    print("ready connections=%d" % len(idle), flush=True)
    if args.ready_file:
        with open(args.ready_file, "w") as f:
            f.write("%d\n" % len(idle))

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    # Watch the idle connections too: a proxy closing them early is worth knowing.
    watcher = selectors.DefaultSelector()
    for conn in idle:
        watcher.register(conn.sock, selectors.EVENT_READ, conn)
    if not args.no_stdin:
        watcher.register(sys.stdin, selectors.EVENT_READ, None)
    closed = 0
    while not stop and time.monotonic() < deadline:
        for key, _ in watcher.select(timeout=0.5):
            if key.data is None:
                if not sys.stdin.buffer.read1(4096):
                    stop.append(1)
                    watcher.unregister(sys.stdin)
                continue
            watcher.unregister(key.fileobj)
            closed += 1
    if closed:
        print("note: the server closed %d of the idle connections" % closed, file=sys.stderr)
    print("closed_by_server=%d" % closed, flush=True)
    return 0


def main():
    parser = argparse.ArgumentParser(
        description="Keep-alive HTTP/1.1 client for relevo's bench scripts.",
        usage="%(prog)s HOST PORT COUNT CONNS\n       %(prog)s --idle HOST PORT CONNS [--ready-file FILE]")
    parser.add_argument("--idle", action="store_true", help="open CONNS connections, one request each, then hold them idle")
    parser.add_argument("--ready-file", help="idle mode: write this file once every connection is open and idle")
    parser.add_argument("--no-stdin", action="store_true", help="idle mode: hold until a signal only, ignore standard input")
    parser.add_argument("--path", default="/", help="request path (default /)")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds (default 600)")
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("numbers", type=int, nargs="+", metavar="COUNT CONNS")
    args = parser.parse_args()
    if args.idle:
        if len(args.numbers) != 1:
            parser.error("--idle takes HOST PORT CONNS")
        args.conns = args.numbers[0]
        if args.conns < 1:
            parser.error("CONNS must be at least 1")
        return run_idle(args)
    if len(args.numbers) != 2:
        parser.error("count mode takes HOST PORT COUNT CONNS")
    args.count, args.conns = args.numbers
    if args.count < 1 or args.conns < 1:
        parser.error("COUNT and CONNS must be at least 1")
    raise_open_file_limit()
    return run_count(args)


if __name__ == "__main__":
    sys.exit(main())
