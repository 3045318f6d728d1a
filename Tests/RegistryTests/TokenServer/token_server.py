"""A Docker token service for RegistryBearerTests: the other half of distribution's `auth: token`.

It answers GET /token?service=...&scope=repository:NAME:ACTIONS with an ES256 JWT whose x5c
header carries the signing certificate, which the registry trusts through its rootcertbundle. One
user (given on the command line) is accepted with HTTP Basic auth; anything else gets the
distribution error body with UNAUTHORIZED. Each request is logged to stderr as one line,
`token user=U service=S scope=SCOPE status=N`, for the test to read.

usage: token_server.py PORT CERT.pem KEY.pem ISSUER USER PASSWORD
"""
import base64
import json
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

port, cert_path, key_path, issuer, user, password = sys.argv[1:7]
with open(cert_path, "rb") as f:
    certificate = x509.load_pem_x509_certificate(f.read())
with open(key_path, "rb") as f:
    key = serialization.load_pem_private_key(f.read(), password=None)
x5c = [base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()]


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims):
    header = {"typ": "JWT", "alg": "ES256", "x5c": x5c}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body, who, service, scopes):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        print(f"token user={who} service={service} scope={' '.join(scopes) or '-'} status={status}", file=sys.stderr, flush=True)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        service = query.get("service", ["-"])[0]
        scopes = query.get("scope", [])
        who = "-"
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            who, _, given = base64.b64decode(header[6:]).decode().partition(":")
            if who != user or given != password:
                return self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "wrong user name or password"}]}, who, service, scopes)
        else:
            return self.answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "log in first"}]}, who, service, scopes)
        access = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": kind, "name": name, "actions": actions.split(",")})
        now = int(time.time())
        token = sign({"iss": issuer, "sub": who, "aud": service, "exp": now + 300, "nbf": now - 10, "iat": now,
                      "jti": str(uuid.uuid4()), "access": access})
        self.answer(200, {"token": token, "expires_in": 300}, who, service, scopes)


ThreadingHTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()
