#!/usr/bin/env python3
"""webfleet's static file server: the web server runtime the WebFleet sample installs on each host.

    webserver.py CONFIG                       serve until stopped (Ctrl+C, SIGTERM)
    webserver.py CONFIG --check PATH...       start, request each PATH from itself, stop;
                                              exit 1 if a page did not answer 200

CONFIG holds `key = value` lines: name, listen (address), port (0: any free port), root (where the sites'
files are), sites (where site registrations, NAME.site, are) and logs. `--listen ADDRESS` overrides listen.
A request for /NAME/... is served from the root of registered site NAME and logged in logs/NAME.log; any
other request is logged in logs/server.log. Starts and stops go to logs/server.log, or when checking a site's
page, to that site's log (so that checking a site leaves the server's own log as it was).
"""
import functools
import http.server
import os
import sys
import threading
import time
import urllib.error
import urllib.request


def read_config(path):
    config = {"port": "8080"}
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                sys.exit(f"{path}:{number}: expected 'key = value', got {line!r}")
            config[key.strip()] = value.strip()
    for key in ("name", "listen", "root", "sites", "logs"):
        if key not in config:
            sys.exit(f"{path}: '{key}' is not set")
    return config


def sites(config):
    found = {}
    if os.path.isdir(config["sites"]):
        for entry in sorted(os.listdir(config["sites"])):
            if entry.endswith(".site"):
                site = read_config_lines(os.path.join(config["sites"], entry))
                found[entry[: -len(".site")]] = site.get("root", os.path.join(config["root"], entry[: -len(".site")]))
    return found


def read_config_lines(path):
    with open(path, encoding="utf-8") as lines:
        return {k.strip(): v.strip() for k, _, v in (l.partition("=") for l in lines if "=" in l)}


def log(config, name, line):
    os.makedirs(config["logs"], exist_ok=True)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    # One write per line, appended: servers started side by side share the log safely.
    with open(os.path.join(config["logs"], name + ".log"), "a", encoding="utf-8") as out:
        out.write(f"{stamp} {line}\n")


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "webfleet/1.0"

    def __init__(self, *args, config, **kwargs):
        self.config = config
        super().__init__(*args, **kwargs)

    def do_GET(self):
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        registered = sites(self.config)
        site = parts[0] if parts and parts[0] in registered else None
        if site is None and self.path.split("?", 1)[0] == "/":
            body = "".join(f"<li><a href=\"/{s}/\">{s}</a></li>" for s in registered)
            self.answer(200, f"<h1>{self.config['name']}</h1><ul>{body}</ul>\n".encode(), "server")
            return
        if site is None:
            self.answer(404, b"no such site\n", "server")
            return
        relative = "/".join(p for p in parts[1:] if p not in ("", ".", "..")) or "index.html"
        path = os.path.join(registered[site], relative)
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")
        try:
            with open(path, "rb") as page:
                self.answer(200, page.read(), site)
        except OSError:
            self.answer(404, b"not found\n", site)

    def answer(self, status, body, log_name):
        # Logged before the answer goes out: once a client has its page, the log has the line.
        log(self.config, log_name, f'{self.client_address[0]} "GET {self.path}" {status} {len(body)}')
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # requests go to the site logs instead


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.exit(__doc__)
    config = read_config(argv[1])
    args = argv[2:]
    if len(args) >= 2 and args[0] == "--listen":
        config["listen"] = args[1]
        args = args[2:]
    checks = args[1:] if args[:1] == ["--check"] else None
    port = 0 if checks is not None else int(config["port"])
    server = http.server.ThreadingHTTPServer((config["listen"], port), functools.partial(Handler, config=config))
    address, port = server.server_address[:2]
    first = checks[0].strip("/").split("/")[0] if checks else ""
    lifecycle = first if first in sites(config) else "server"
    log(config, lifecycle, f"{config['name']} started on {address}:{port}")
    if checks is None:
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            log(config, lifecycle, f"{config['name']} stopped")
        return 0

    # Check mode: serve only while asking for the pages, then stop; nothing is left running.
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    failed = 0
    try:
        for path in checks:
            url = f"http://{address}:{port}{path}"
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    status, size = response.status, len(response.read())
            except urllib.error.HTTPError as error:
                status, size = error.code, 0
            print(f"GET {url} -> {status} ({size} bytes)")
            failed += status != 200
    finally:
        server.shutdown()
        server.server_close()
        log(config, lifecycle, f"{config['name']} stopped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
