#!/usr/bin/env python3
"""The driver of bench/abuse: one person on 127.0.0.1 reads its contacts page steadily while
127.0.0.2 floods sign-ins, floods other POSTs, then holds slow connections; prints the person's
latency (p50, p99, max) per phase and what the attacker got. Loopback only, bounded in time
and in connections. Usage: abuse.py PORT COOKIE DURATION SLOW_CONNECTIONS"""
import http.client
import re
import selectors
import socket
import sys
import threading
import time

PORT = int(sys.argv[1])
COOKIE = sys.argv[2]
DURATION = min(float(sys.argv[3]), 60.0)
SLOW = min(int(sys.argv[4]), 5000)
PERSON, ATTACKER = "127.0.0.1", "127.0.0.2"
FLOOD_THREADS = 8


def connection(source):
    return http.client.HTTPConnection("127.0.0.1", PORT, timeout=30, source_address=(source, 0))


def person(stop, latencies, failures):
    """A person clicking fast: its contacts page 20 times a second over one keep-alive connection."""
    conn = connection(PERSON)
    while not stop.is_set():
        start = time.perf_counter()
        try:
            conn.request("GET", "/contacts", headers={"Cookie": COOKIE})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
        except (OSError, http.client.HTTPException) as error:
            failures.append(type(error).__name__)
            conn.close()
            conn = connection(PERSON)
        latencies.append(time.perf_counter() - start)
        time.sleep(0.05)
    conn.close()


def anonymous_form():
    """What an attacker needs for a POST the app will act on: its own anonymous cookie and token."""
    conn = connection(ATTACKER)
    conn.request("GET", "/sign-in")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf" value="([^"]*)"', page).group(1)
    conn.close()
    return cookie, token


def flood(stop, path, fields, statuses):
    conn = connection(ATTACKER)
    cookie, token = anonymous_form()
    body = f"csrf={token}&{fields}"
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    while not stop.is_set():
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = connection(ATTACKER)
        except (OSError, http.client.HTTPException):
            statuses["error"] = statuses.get("error", 0) + 1
            conn.close()
            conn = connection(ATTACKER)
    conn.close()


def slow_connections(stop, statuses):
    """SLOW half-open requests from one address, replaced as nginx cuts them off."""
    selector = selectors.DefaultSelector()

    def open_one():
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((ATTACKER, 0))
        sock.settimeout(10)
        try:
            sock.connect(("127.0.0.1", PORT))
            sock.sendall(b"GET /contacts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        except OSError:
            statuses["refused"] = statuses.get("refused", 0) + 1
            sock.close()
            return
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        statuses["opened"] = statuses.get("opened", 0) + 1

    for _ in range(SLOW):
        open_one()
    while not stop.is_set():
        for key, _ in selector.select(timeout=0.5):
            selector.unregister(key.fileobj)
            key.fileobj.close()
            statuses["cut off"] = statuses.get("cut off", 0) + 1
            if not stop.is_set():
                open_one()
    for key in list(selector.get_map().values()):
        key.fileobj.close()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def phase(name, attack):
    stop = threading.Event()
    latencies, failures, statuses = [], [], {}
    threads = [threading.Thread(target=person, args=(stop, latencies, failures))]
    if attack:
        threads += attack(stop, statuses)
    for thread in threads:
        thread.start()
    time.sleep(DURATION)
    stop.set()
    for thread in threads:
        thread.join()
    ms = lambda seconds: f"{seconds * 1000:.1f}"
    attacker = ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))) or "-"
    print(f"| {name} | {len(latencies)} | {len(failures)} | {ms(percentile(latencies, 0.5))} | "
          f"{ms(percentile(latencies, 0.99))} | {ms(max(latencies))} | {attacker} |", flush=True)
    return percentile(latencies, 0.99), failures


def floods(path, fields):
    return lambda stop, statuses: [
        threading.Thread(target=flood, args=(stop, path, fields, statuses)) for _ in range(FLOOD_THREADS)]


print(f"{DURATION:.0f} s per phase; the person: GET /contacts 20 times a second from {PERSON}; "
      f"the attacker: {ATTACKER}, {FLOOD_THREADS} flooding connections or {SLOW} slow ones")
print("| phase | person's requests | not 200 | p50 ms | p99 ms | max ms | attacker's answers |")
print("|---|---|---|---|---|---|---|")
results = [
    phase("nothing else", None),
    phase("sign-in flood", floods("/sign-in", "customer_id=zz999999-ovh&password=guess-guess")),
    phase("POST flood", floods("/profile", "email=x%40example.org&language=pl")),
    phase("slow connections", lambda stop, statuses: [threading.Thread(target=slow_connections, args=(stop, statuses))]),
]
worst = max(p99 for p99, _ in results)
failed = sum(len(failures) for _, failures in results)
print(f"worst p99 {worst * 1000:.1f} ms (goal: under 100 ms); the person's requests that failed: {failed}")
sys.exit(1 if failed else 0)
