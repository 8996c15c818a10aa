#!/usr/bin/env python3
"""Crawl speed and frontier memory of `gyokaku fetch` on loopback (issue 12).

Serves a generated municipal site on 127.0.0.1 and crawls it with `--delay 0`:

1. pages/s and bytes/s: a top page linking PAGES section pages, each linking one PDF;
2. frontier memory: one page linking FRONTIER PDFs (all plan links), so the crawl frontier
   holds that many URLs at once; the peak RSS of the gyokaku process is reported.

    scripts/bench_fetch.py [--binary target/release/gyokaku] [--pages 500] [--frontier 10000]

Nothing leaves loopback. Results go to stdout as a Markdown table row per scenario.
"""
import argparse
import http.server
import json
import os
import subprocess
import tempfile
import threading
import time

PDF = b"%PDF-1.4\n" + b"0" * 20_000 + b"\n%%EOF\n"


def make_handler(pages: int, frontier: int):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body are two writes: with Nagle on, each response waits for a
        # delayed ACK (~40 ms) and the bench would measure the server, not the crawler.
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def send(self, status, content_type, body):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            path = self.path
            html = "text/html; charset=utf-8"
            if path == "/":
                links = "".join(f'<li><a href="/gyosei/{i}.html">行政改革 {i}</a></li>' for i in range(pages))
                self.send(200, html, f"<html><body><main><ul>{links}</ul></main></body></html>".encode())
            elif path == "/frontier.html":
                links = "".join(f'<li><a href="/f/{i}.pdf">大綱 {i}</a></li>' for i in range(frontier))
                self.send(200, html, f"<html><body><main><ul>{links}</ul></main></body></html>".encode())
            elif path.startswith("/gyosei/") and path.endswith(".html"):
                n = path[len("/gyosei/"):-5]
                body = f'<html><head><title>行政改革 {n}</title></head><body><main><h1>行政改革 {n}</h1><p><a href="{n}.pdf">大綱（PDF）</a></p></main></body></html>'
                self.send(200, html, body.encode())
            elif path.endswith(".pdf"):
                self.send(200, "application/pdf", PDF)
            else:
                self.send(404, html, b"<html><body>not found</body></html>")

    return Handler


def crawl(binary, port, start, tmp, name):
    seeds = os.path.join(tmp, f"{name}.csv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write(f"municipality,prefecture,url\n芽室町,北海道,http://127.0.0.1:{port}{start}\n")
    mirror = os.path.join(tmp, f"{name}-mirror")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    began = time.monotonic()
    proc = subprocess.Popen(
        [binary, "fetch", seeds, "--mirror", mirror, "--delay", "0", "--contact", "bench@localhost",
         "--max-requests-per-host", "100000", "-q"],
        env=env,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - began
    with open(os.path.join(mirror, "fetch-log.jsonl"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    fetches = [json.loads(l) for l in lines if '"event":"fetch"' in l]
    size = sum(record.get("size") or 0 for record in fetches)
    return seconds, len(fetches), size, usage.ru_maxrss, os.waitstatus_to_exitcode(status)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default="target/release/gyokaku")
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--frontier", type=int, default=10_000)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), make_handler(args.pages, args.frontier))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    print("| scenario | requests | seconds | requests/s | MB/s | peak RSS (MB) | exit |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, start in [(f"{args.pages} pages + {args.pages} PDFs", "/"),
                            (f"frontier of {args.frontier} PDFs", "/frontier.html")]:
            seconds, requests, size, rss_kb, code = crawl(args.binary, port, start, tmp, name.split()[0])
            print(f"| {name} | {requests} | {seconds:.1f} | {requests / seconds:.0f} | "
                  f"{size / seconds / 1e6:.1f} | {rss_kb / 1024:.0f} | {code} |")
    server.shutdown()


if __name__ == "__main__":
    main()
