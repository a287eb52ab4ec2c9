"""One HTTP request to the server, as scripts/attacks.py and scripts/seed.py send them: JSON in
and out, a bearer token in the scheme asked for, from a chosen loopback address. Standard library only."""
import http.client, json


def request(host, port, method, path, token=None, body=None, headers=None, source="127.0.0.1", scheme="Bearer",
            timeout=30):
    """Status, headers and raw body of one request; a body that is not bytes is sent as JSON."""
    c = http.client.HTTPConnection(host, port, timeout=timeout, source_address=(source, 0))
    h = dict(headers or {})
    if token:
        h["Authorization"] = f"{scheme} {token}"
    if body is not None and not isinstance(body, bytes):
        body, h["Content-Type"] = json.dumps(body).encode(), "application/json"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    payload = r.read()
    c.close()
    return r.status, dict(r.getheaders()), payload
