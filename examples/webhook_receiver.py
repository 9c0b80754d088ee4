#!/usr/bin/env python3
"""A OnePlan webhook receiver that verifies Standard Webhooks signatures.

Standard library only (Python 3.9+). Run it with the subscription's secret:

    WEBHOOK_SECRET=whsec_... python3 examples/webhook_receiver.py [--port 9000]

It answers 204 to a delivery whose signature is valid and whose timestamp is within five minutes,
401 otherwise, de-duplicates on webhook-id (delivery is at least once), and prints one line per
delivery. During a secret rotation's overlap, set WEBHOOK_SECRET to "new old" (both secrets,
space-separated) to accept either; OnePlan signs with both for the overlap anyway.

The check, from https://www.standardwebhooks.com/ :
    signed content = webhook-id + "." + webhook-timestamp + "." + raw body
    key            = base64-decode(secret without its "whsec_" prefix)
    signature      = "v1," + base64(HMAC-SHA256(key, signed content))
webhook-signature holds one or more space-separated signatures; any valid one is enough.
"""

import argparse
import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import time

TOLERANCE_SECONDS = 300  # reject replays of old deliveries


def keys_from_env(value):
    """The HMAC keys of the secret(s) in WEBHOOK_SECRET."""
    keys = []
    for secret in value.split():
        if secret.startswith("whsec_"):
            secret = secret[len("whsec_"):]
        keys.append(base64.b64decode(secret))
    if not keys:
        sys.exit("WEBHOOK_SECRET is empty")
    return keys


def verify(keys, webhook_id, timestamp, body, signature_header, now=None):
    """Returns None when the delivery is authentic and fresh, else the reason it is not."""
    if not webhook_id or not timestamp or not signature_header:
        return "missing webhook headers"
    try:
        ts = int(timestamp)
    except ValueError:
        return "bad webhook-timestamp"
    now = time.time() if now is None else now
    if abs(now - ts) > TOLERANCE_SECONDS:
        return "timestamp outside tolerance"
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    for key in keys:
        want = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
        for sig in signature_header.split():
            version, _, value = sig.partition(",")
            if version == "v1" and hmac.compare_digest(value.encode(), want):
                return None
    return "no valid signature"


class Receiver(http.server.BaseHTTPRequestHandler):
    keys = []
    seen = set()  # webhook-ids already handled; use a database in production

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        wid = self.headers.get("webhook-id", "")
        problem = verify(self.keys, wid, self.headers.get("webhook-timestamp", ""), body,
                         self.headers.get("webhook-signature", ""))
        if problem:
            self.send_response(401)
            self.end_headers()
            print(f"REJECTED {wid or '-'}: {problem}", flush=True)
            return
        # Acknowledge first; a duplicate (a retry after a lost answer) is acknowledged again.
        self.send_response(204)
        self.end_headers()
        if wid in self.seen:
            print(f"duplicate {wid} (already handled)", flush=True)
            return
        self.seen.add(wid)
        event = json.loads(body)
        # Payloads hold ids, codes and dates only: read the record through the API if you need more.
        print(f"verified {wid} {event['type']} v{event['version']} seq={event.get('sequence')} "
              f"{event['record_type']}/{event['record_id']} {json.dumps(event['data'])}", flush=True)

    def log_message(self, *_):  # keep the console to one line per delivery
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=9000)
    args = ap.parse_args()
    Receiver.keys = keys_from_env(os.environ.get("WEBHOOK_SECRET", ""))
    print(f"listening on http://{args.host}:{args.port}/hook", flush=True)
    http.server.ThreadingHTTPServer((args.host, args.port), Receiver).serve_forever()


if __name__ == "__main__":
    main()
