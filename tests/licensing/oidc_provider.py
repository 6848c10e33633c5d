"""广西统一身份认证, for real: an OpenID Connect provider on 127.0.0.1 (issue 16), standing in for the
region's unified identity service in the tests of licensing/oidc.py.

Discovery, authorize (approves `person` at once: the person typed their password there), token (checks
the client's secret, the code, its redirect_uri and the PKCE verifier; answers an id_token signed RS256
with a key made at start-up), jwks and userinfo (the claims licensing/oidc.py documents).
"""
import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "qinzhou-zzfl"
CLIENT_SECRET = "stand-in-client-secret"
KID = "stand-in-1"


class Provider:
    """The provider's state. `person`: the claims of whoever signs in next (sub, name, email, uscc, ent_name,
    ent_verified). `tamper`: the next id_token's payload is changed after signing."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.person: dict = {}
        self.tamper = False
        self.codes: dict = {}
        self.tokens: dict = {}
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.url = ""

    def settings(self) -> dict:
        """The portal's settings for this provider."""
        return {"OIDC_RP_CLIENT_ID": CLIENT_ID, "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET, "OIDC_OP_ISSUER": self.url,
                "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
                "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token", "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
                "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks"}

    # --- the endpoints: each answers (status, headers, body) ---------------------------------------------

    def discovery(self, query, form, headers):
        return 200, {}, {"issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                         "token_endpoint": f"{self.url}/token", "userinfo_endpoint": f"{self.url}/userinfo",
                         "jwks_uri": f"{self.url}/jwks", "id_token_signing_alg_values_supported": ["RS256"],
                         "response_types_supported": ["code"], "subject_types_supported": ["public"]}

    def authorize(self, query, form, headers):
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return 400, {}, {"error": "invalid_request"}
        code = secrets.token_urlsafe(16)
        with self.lock:
            self.codes[code] = {"redirect_uri": query["redirect_uri"], "nonce": query.get("nonce"),
                                "challenge": query.get("code_challenge"), "person": dict(self.person)}
        location = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"Location": location}, None

    def token(self, query, form, headers):
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 401, {}, {"error": "invalid_client"}
        with self.lock:
            grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("grant_type") != "authorization_code" \
                or form.get("redirect_uri") != grant["redirect_uri"] or not _pkce_ok(grant, form):
            return 400, {}, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[access_token] = grant["person"]
        return 200, {}, {"access_token": access_token, "token_type": "Bearer", "expires_in": 600,
                         "id_token": self.id_token(grant)}

    def userinfo(self, query, form, headers):
        bearer = headers.get("Authorization", "").removeprefix("Bearer ")
        person = self.tokens.get(bearer)
        return (200, {}, person) if person is not None else (401, {}, {"error": "invalid_token"})

    def jwks(self, query, form, headers):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return 200, {}, {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def id_token(self, grant) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "sub": grant["person"]["sub"], "aud": CLIENT_ID, "iat": now, "exp": now + 600,
                  "nonce": grant["nonce"]}
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})
        if self.tamper:  # another subject in the payload, the signature left as it was
            header, _, signature = token.split(".")
            forged = _b64(json.dumps({**claims, "sub": "someone-else"}).encode())
            token = f"{header}.{forged}.{signature}"
        return token

    ROUTES = {"/.well-known/openid-configuration": discovery, "/authorize": authorize, "/token": token,
              "/userinfo": userinfo, "/jwks": jwks}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _pkce_ok(grant, form) -> bool:
    if not grant["challenge"]:
        return True
    verifier = form.get("code_verifier", "")
    return _b64(hashlib.sha256(verifier.encode()).digest()) == grant["challenge"]


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, form):
            url = urlsplit(self.path)
            provider.requests.append(url.path)
            route = Provider.ROUTES.get(url.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            status, headers, body = route(provider, query, form, self.headers) if route else (404, {}, {})
            data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # noqa: N802
            self._answer({})

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            self._answer({k: v[0] for k, v in parse_qs(body).items()})

        def log_message(self, *args):
            pass

    return Handler


def start() -> tuple[Provider, ThreadingHTTPServer]:
    """The provider, listening on a free port of 127.0.0.1 in a thread of its own."""
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider, server
