#!/usr/bin/env python3
"""http-raw.py - raw-socket HTTP clients for the edge tests (http-edge.sh).

curl cannot send a malformed request, hold a thousand half-sent ones or
time one reply on a kept-alive connection; these small clients can. Only
the standard library, only 127.0.0.1. Every command is bounded in time and
prints "key value" lines the shell script reads.

  send PORT FILE [SECONDS [keep]]
      send FILE's bytes as they are, half-close (unless "keep": a server
      may stop reading at a half-close, and a smuggled request must get
      its chance to run), print every reply's status line and headers,
      and "closed yes|no" (the server closed the connection within
      SECONDS, default 5).
  split PORT FILE BYTES PAUSE [SECONDS]
      as send, but the first BYTES bytes go alone, then PAUSE seconds
      pass before the rest (a CR and its LF in separate reads).
  slowloris PORT COUNT SECONDS
      open COUNT connections that each send a request head one byte at a
      time, a byte every second or so, never finishing; meanwhile GET
      /healthz on fresh connections every 50 ms. Prints how many of the
      slow connections the server closed, when the last one was closed,
      and how many of the normal requests got 200.
  slowbody PORT COUNT TOKEN SECONDS [SIZE [METHOD PATH [HEADER]]]
      open COUNT connections that each send a POST /v1/discharges head
      (or METHOD PATH; Authorization: Bearer TOKEN unless TOKEN is "-";
      HEADER, "Name: value", added) announcing a 256 KiB body (or SIZE
      bytes), then send all but the last 8 KiB piece of it and hold;
      prints the replies' status codes and how many connections the
      server closed.
  hold PORT FILE SECONDS
      send FILE's bytes and keep the connection open; prints the first
      reply's status (or "none") and after how many seconds the server
      closed the connection ("closed_s never" if not within SECONDS).
  flood PORT COUNT SOURCE TOKEN
      make one request with TOKEN (unless "-") on a kept-alive
      connection, then open COUNT idle connections from address SOURCE
      (127.0.0.2 is loopback too), then GET /healthz ten times on fresh
      connections from 127.0.0.1, then use the first connection again;
      prints how many of the COUNT connections the server kept open, how
      many GETs got 200 and whether the first connection still works.
  timing PORT PATH COUNT
      GET PATH COUNT times on one kept-alive connection; prints the
      median and largest time to the last byte of a reply, in ms.
  drain PORT PID
      GET /healthz on one connection and keep it; send half a request
      head on another; SIGTERM PID; send the rest of the head. Prints
      the Connection header of that reply, whether that connection was
      then closed, and whether the idle one was closed.
"""

import os
import signal
import socket
import sys
import time

HOST = "127.0.0.1"


def connect(port, source=None, timeout=5.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if source:
        s.bind((source, 0))
    s.settimeout(timeout)
    s.connect((HOST, port))
    return s


def read_reply(sock, deadline):
    """One HTTP reply: (status, headers dict, body) or None when the
    connection closed or nothing complete came before the deadline."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = recv_until(sock, deadline)
        if not chunk:
            return None, data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = recv_until(sock, deadline)
        if not chunk:
            break
        rest += chunk
    return (status, headers, rest[:length]), rest[length:]


def recv_until(sock, deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        return b""
    sock.settimeout(left)
    try:
        return sock.recv(65536)
    except (socket.timeout, ConnectionResetError, BrokenPipeError):
        return b""


def healthz(port, timeout=2.0):
    try:
        s = connect(port, timeout=timeout)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        reply, _ = read_reply(s, time.monotonic() + timeout)
        s.close()
        return reply is not None and reply[0] == 200
    except OSError:
        return False


def cmd_send(port, path, seconds="5", mode="half-close"):
    with open(path, "rb") as f:
        payload = f.read()
    s = connect(port)
    s.sendall(payload)
    if mode != "keep":
        s.shutdown(socket.SHUT_WR)
    print_replies(s, seconds)


def cmd_split(port, path, nbytes, pause, seconds="5"):
    with open(path, "rb") as f:
        payload = f.read()
    nbytes = int(nbytes)
    s = connect(port)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(payload[:nbytes])
    time.sleep(float(pause))
    s.sendall(payload[nbytes:])
    s.shutdown(socket.SHUT_WR)
    print_replies(s, seconds)


def print_replies(s, seconds):
    """Read what the server sends for up to SECONDS and print it as
    send does."""
    deadline = time.monotonic() + float(seconds)
    data = b""
    closed = False
    while time.monotonic() < deadline:
        s.settimeout(max(deadline - time.monotonic(), 0.01))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
    s.close()
    # Print every status line and header block: a smuggled request shows
    # as a second reply.
    text = data.decode("latin-1")
    replies = 0
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith("HTTP/1."):
            replies += 1
            print("status", line.split()[1])
        elif ":" in line and not line.startswith("{"):
            name, _, value = line.partition(":")
            if name and " " not in name:
                print("header", name.lower(), value.strip())
    body_start = text.find("\r\n\r\n")
    if body_start >= 0:
        print("body", text[body_start + 4:].split("\r\n")[0].strip())
    print("replies", replies)
    print("closed", "yes" if closed else "no")


def open_many(port, count, source=None):
    socks = []
    for _ in range(count):
        try:
            s = connect(port, source)
        except OSError:
            break
        s.setblocking(False)
        socks.append(s)
    return socks


def is_closed(sock):
    try:
        data = sock.recv(65536)
    except BlockingIOError:
        return False
    except OSError:
        return True
    # A reply (such as a 408) before the close counts as closing.
    return not data or is_closed_after_data(sock)


def is_closed_after_data(sock):
    try:
        data = sock.recv(65536)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return not data


def cmd_slowloris(port, count, seconds):
    count, seconds = int(count), float(seconds)
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000
    socks = open_many(port, count)
    print("opened", len(socks))
    start = time.monotonic()
    sent = {s: 0 for s in socks}
    closed_at = {}
    ok = tried = 0
    next_normal = start
    step = 0
    while time.monotonic() - start < seconds and len(closed_at) < len(socks):
        now = time.monotonic()
        # One byte on every connection about once a second.
        open_socks = [s for s in socks if s not in closed_at]
        per_tick = max(1, len(open_socks) // 20)
        for s in open_socks[step % max(1, len(open_socks)):][:per_tick]:
            try:
                s.send(head[sent[s]:sent[s] + 1])
                sent[s] = min(sent[s] + 1, len(head) - 1)
            except BlockingIOError:
                pass
            except OSError:
                closed_at[s] = now - start
        step += per_tick
        for s in open_socks:
            if s not in closed_at and is_closed(s):
                closed_at[s] = now - start
        if now >= next_normal:
            tried += 1
            ok += healthz(port)
            next_normal = now + 0.05
        time.sleep(0.05)
    print("closed", len(closed_at))
    print("last_closed_s", "%.1f" % max(closed_at.values(), default=0.0))
    print("normal_tried", tried)
    print("normal_ok", ok)
    for s in socks:
        s.close()


def cmd_slowbody(port, count, token, seconds, size=str(256 * 1024), method="POST",
                 path="/v1/discharges", header=None):
    count, seconds, size = int(count), float(seconds), int(size)
    auth = b"" if token == "-" else b"Authorization: Bearer " + token.encode() + b"\r\n"
    if header:
        auth += header.encode() + b"\r\n"
    head = (method.encode() + b" " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
            auth +
            b"Content-Type: application/json\r\nContent-Length: " +
            str(size).encode() + b"\r\n\r\n")
    piece = b" " * 8192
    # Each head right after its connect: the server's header deadline runs
    # from the accept, and opening a thousand connections takes a while.
    socks = []
    for _ in range(count):
        try:
            s = connect(port)
            s.sendall(head)
        except OSError:
            break
        s.setblocking(False)
        socks.append(s)
    print("opened", len(socks))
    sent = {s: 0 for s in socks}
    replies = {}
    closed = set()
    start = time.monotonic()
    # Send all but the last piece of every body, a piece per connection
    # per round, reading whatever comes back; then hold.
    while time.monotonic() - start < seconds:
        for s in socks:
            if s in closed:
                continue
            # Read first: a reply already there is counted even if the
            # server closes before the next piece goes out.
            try:
                data = s.recv(65536)
                if not data:
                    closed.add(s)
                    continue
                if s not in replies and data.startswith(b"HTTP/1."):
                    replies[s] = data.split(b" ", 2)[1].decode()
            except BlockingIOError:
                pass
            except OSError:
                closed.add(s)
                continue
            if sent[s] < size - len(piece):
                try:
                    sent[s] += s.send(piece)
                except BlockingIOError:
                    pass
                except OSError:
                    closed.add(s)
        time.sleep(0.02)
    codes = {}
    for code in replies.values():
        codes[code] = codes.get(code, 0) + 1
    for code in sorted(codes):
        print("status", code, codes[code])
    print("replies", len(replies))
    print("closed", len(closed))
    for s in socks:
        s.close()


def cmd_hold(port, path, seconds):
    with open(path, "rb") as f:
        payload = f.read()
    s = connect(port)
    start = time.monotonic()
    deadline = start + float(seconds)
    if payload:
        s.sendall(payload)
    data = b""
    closed_s = None
    while time.monotonic() < deadline:
        chunk = recv_until(s, deadline)
        if not chunk:
            if time.monotonic() < deadline:
                closed_s = time.monotonic() - start
            break
        data += chunk
    s.close()
    status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.") else "none"
    print("status", status)
    print("closed_s", "never" if closed_s is None else "%.1f" % closed_s)


def get_on(sock, path, token, deadline):
    auth = "" if token == "-" else "Authorization: Bearer %s\r\n" % token
    sock.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n" % (path, auth)).encode())
    reply, _ = read_reply(sock, deadline)
    return reply[0] if reply else None


def cmd_flood(port, count, source, token):
    count = int(count)
    first = connect(port)
    first_before = get_on(first, "/v1/mentors" if token != "-" else "/healthz", token,
                          time.monotonic() + 5)
    socks = open_many(port, count, source)
    print("opened", len(socks))
    time.sleep(0.5)
    ok = sum(healthz(port) for _ in range(10))
    time.sleep(0.5)
    kept = sum(1 for s in socks if not is_closed(s))
    try:
        first_after = get_on(first, "/v1/mentors" if token != "-" else "/healthz", token,
                             time.monotonic() + 5)
    except OSError:
        first_after = None
    print("kept", kept)
    print("healthz_ok", ok)
    print("first_before", first_before)
    print("first_after", first_after)
    for s in socks:
        s.close()
    first.close()


def cmd_timing(port, path, count):
    s = connect(port)
    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % path).encode()
    times = []
    rest = b""
    for _ in range(int(count)):
        t0 = time.monotonic()
        s.sendall(request)
        reply, rest = read_reply(s, time.monotonic() + 5)
        if reply is None or reply[0] != 200:
            print("error", "no 200 reply")
            return
        times.append((time.monotonic() - t0) * 1000)
    times.sort()
    print("bytes", len(reply[2]))
    print("median_ms", "%.1f" % times[len(times) // 2])
    print("max_ms", "%.1f" % times[-1])


def cmd_drain(port, pid):
    idle = connect(port)
    status = get_on(idle, "/healthz", "-", time.monotonic() + 5)
    print("idle_status", status)
    busy = connect(port)
    busy.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.2)
    os.kill(int(pid), signal.SIGTERM)
    time.sleep(0.3)
    busy.sendall(b"\r\n")
    reply, _ = read_reply(busy, time.monotonic() + 5)
    print("draining_status", reply[0] if reply else "none")
    print("draining_connection", reply[1].get("connection", "-") if reply else "none")
    print("draining_closed", "yes" if recv_until(busy, time.monotonic() + 3) == b"" else "no")
    print("idle_closed", "yes" if recv_until(idle, time.monotonic() + 1) == b"" else "no")


COMMANDS = {
    "send": cmd_send,
    "slowloris": cmd_slowloris,
    "slowbody": cmd_slowbody,
    "hold": cmd_hold,
    "flood": cmd_flood,
    "timing": cmd_timing,
    "drain": cmd_drain,
    "split": cmd_split,
}


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        sys.stderr.write(__doc__)
        return 2
    port = int(sys.argv[2])
    COMMANDS[sys.argv[1]](port, *sys.argv[3:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
