#!/usr/bin/env python3
"""Load bench for `gyokaku serve` on loopback (see BENCHMARKS.md).

Starts the server on an index, then 8 concurrent clients each send the 30 queries of the query
latency bench (benches/query_latency.rs) as search pages, for several rounds. Reports, from the
server's own `Server-Timing` header, p50/p90/p99 of the search page, the time of the themes page
(first build of the cache, then cached), and the weight of a search page (HTML + CSS + JS).

usage: scripts/bench_web.py --index DIR [--binary target/release/gyokaku] [--clients 8] [--rounds 5]
"""
import argparse
import http.client
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

QUERIES = [
    "公共施設 老朽化", "公共施設の老朽化", "指定管理者制度", "ふるさと納税", "行政評価",
    "事務事業評価 見直し", "\"市民協働\"", "協働 OR 連携", "人材育成", "働き方改革",
    "窓口 サービス 向上", "財政健全化", "経常収支比率", "職員 定員管理", "民間委託 アウトソーシング",
    "ICT 活用", "RPA", "電子申請", "受益者負担 使用料", "広域連携", "行政改革大綱", "PDCAサイクル",
    "情報公開", "組織 機構 見直し", "補助金 見直し -廃止", "市民 参画", "業務改善 提案", "人事評価",
    "公民連携 OR 官民連携", "財政調整基金",
]


def fetch(host, port, target):
    conn = http.client.HTTPConnection(host, port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", target)
    response = conn.getresponse()
    body = response.read()
    client_ms = (time.perf_counter() - started) * 1000
    timing = response.getheader("server-timing") or ""
    match = re.search(r"dur=([0-9.]+)", timing)
    server_ms = float(match.group(1)) if match else float("nan")
    conn.close()
    return response.status, body, server_ms, client_ms


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", required=True)
    parser.add_argument("--binary", default="target/release/gyokaku")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    server = subprocess.Popen(
        [args.binary, "serve", "--index", args.index, "--bind", "127.0.0.1:0"],
        stderr=subprocess.PIPE, text=True)
    try:
        line = server.stderr.readline()
        match = re.search(r"http://([0-9.]+):([0-9]+)/", line)
        if not match:
            sys.exit(f"serve did not start: {line}")
        threading.Thread(target=lambda: server.stderr.read(), daemon=True).start()
        host, port = match.group(1), int(match.group(2))
        targets = ["/?" + urllib.parse.urlencode({"q": q}) for q in QUERIES]
        for target in targets:  # warm-up: every segment's facet tables read once
            fetch(host, port, target)
        themes = [fetch(host, port, "/themes")[2]]
        themes += [fetch(host, port, "/themes")[2] for _ in range(5)]
        server_ms, client_ms, failures = [], [], []
        lock = threading.Lock()

        def client(offset):
            for _ in range(args.rounds):
                for i in range(len(targets)):
                    status, _, s_ms, c_ms = fetch(host, port, targets[(i + offset) % len(targets)])
                    with lock:
                        server_ms.append(s_ms)
                        client_ms.append(c_ms)
                        if status != 200:
                            failures.append(status)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        _, page, _, _ = fetch(host, port, targets[0])
        css = fetch(host, port, "/static/app.css")[1]
        js = fetch(host, port, "/static/app.js")[1]
        print(f"requests: {len(server_ms)} in {wall:.1f} s ({len(server_ms) / wall:.0f}/s), "
              f"{args.clients} clients, failures: {len(failures)}")
        for name, values in (("server", server_ms), ("client", client_ms)):
            print(f"search page {name}-side: p50 {percentile(values, 50):.1f} ms, "
                  f"p90 {percentile(values, 90):.1f} ms, p99 {percentile(values, 99):.1f} ms")
        print(f"themes page: first {themes[0]:.0f} ms (builds the cache), "
              f"then median {statistics.median(themes[1:]):.1f} ms")
        print(f"search page weight: {len(page) + len(css) + len(js)} bytes "
              f"(HTML {len(page)}, CSS {len(css)}, JS {len(js)})")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
