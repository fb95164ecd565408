#!/usr/bin/env python3
"""Load helpers for bench/tcp_bench.sh (loopback only, every wait bounded).

  tcpload.py source PORT
      Backend for the throughput test: for each connection, read one line
      "<bytes>\\n", send that many bytes, close. Runs until killed.
  tcpload.py pull PORT STREAMS BYTES_PER_STREAM [TIMEOUT_S]
      Client: STREAMS concurrent connections to 127.0.0.1:PORT, each asks
      for BYTES_PER_STREAM and reads to EOF. Prints
      "bytes=<total> seconds=<wall> mbps=<MB/s>" and fails on a short read.
  tcpload.py idle PORT N READY_FILE [HOLD_S]
      Client: open N connections to 127.0.0.1:PORT, send one HTTP/1.1
      keep-alive GET on each, read the whole response, then write
      "<opened>\\n" to READY_FILE and hold every socket open for HOLD_S
      seconds (or until killed).
"""

import os
import socket
import sys
import threading
import time

CHUNK = 1 << 20
HOST = "127.0.0.1"


def source(port):
    lsn = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsn.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsn.bind((HOST, port))
    lsn.listen(128)
    payload = memoryview(os.urandom(CHUNK))

    def serve(conn):
        try:
            conn.settimeout(60)
            line = b""
            while not line.endswith(b"\n") and len(line) < 64:
                got = conn.recv(64 - len(line))
                if not got:
                    return
                line += got
            left = int(line.strip() or b"0")
            while left > 0:
                n = min(left, CHUNK)
                conn.sendall(payload[:n])
                left -= n
        except (OSError, ValueError):
            pass
        finally:
            conn.close()

    while True:
        conn, _ = lsn.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


def pull(port, streams, per_stream, timeout):
    got = [0] * streams
    errors = []

    def one(i):
        try:
            s = socket.create_connection((HOST, port), timeout=timeout)
            s.sendall(b"%d\n" % per_stream)
            buf = bytearray(CHUNK)
            view = memoryview(buf)
            while True:
                n = s.recv_into(view)
                if n == 0:
                    break
                got[i] += n
            s.close()
        except OSError as e:
            errors.append(str(e))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(streams)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout + 5)
    secs = time.monotonic() - t0
    total = sum(got)
    print("bytes=%d seconds=%.3f mbps=%.1f" % (total, secs, total / secs / 1e6))
    if errors or total != streams * per_stream:
        print("pull: short transfer (%d of %d), errors: %s"
              % (total, streams * per_stream, errors[:3]), file=sys.stderr)
        sys.exit(1)


def idle(port, n, ready_file, hold):
    req = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
    socks = []
    deadline = time.monotonic() + 60
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        try:
            s = socket.create_connection((HOST, port), timeout=10)
            s.sendall(req)
            resp = b""
            # nginx answers "hello\n" with a Content-Length: the body ends the reply.
            while not resp.endswith(b"hello\n") and len(resp) < 4096:
                got = s.recv(4096)
                if not got:
                    break
                resp += got
            if not resp.endswith(b"hello\n"):
                s.close()
                continue
            socks.append(s)
        except OSError as e:
            print("idle: %s" % e, file=sys.stderr)
            break
    with open(ready_file + ".tmp", "w") as f:
        f.write("%d\n" % len(socks))
    os.rename(ready_file + ".tmp", ready_file)
    time.sleep(hold)


def main(argv):
    if len(argv) >= 2 and argv[1] == "source":
        source(int(argv[2]))
    elif len(argv) >= 5 and argv[1] == "pull":
        timeout = float(argv[5]) if len(argv) > 5 else 60.0
        pull(int(argv[2]), int(argv[3]), int(argv[4]), timeout)
    elif len(argv) >= 5 and argv[1] == "idle":
        hold = float(argv[5]) if len(argv) > 5 else 120.0
        idle(int(argv[2]), int(argv[3]), argv[4], hold)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
