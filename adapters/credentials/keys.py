"""The issuer's signing keys and its `did:web` DID document.

PARS signs credentials with an ES256 (P-256) key. It is `PARS_ISSUER_KEY` (a PEM private key) when set,
else generated once into `var/issuer_keys/signing.pem` (mode 0600), like `var/secret_key`. Rotation
(`pars admin rotate-issuer-key`) keeps the old key's public half as `retired-<thumbprint>.pem` beside it, so
the DID document lists every key that ever signed and credentials signed before stay verifiable; the JWT
header's `kid` names the key (`did:web:…#<RFC 7638 thumbprint>`). Nothing is fetched: the DID document
is built from these files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from joserfc.jwk import ECKey

SIGNING_FILE = "signing.pem"


def did_web(public_url: str) -> str:
    """The `did:web` of the deployment at this address: host (a port's colon as %3A), then path segments."""
    parts = urlsplit(public_url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}%3A{parts.port}"
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did", "web", host, *segments])


@dataclass(frozen=True)
class IssuerKeys:
    did: str
    signing: ECKey
    retired: tuple[ECKey, ...] = ()
    _public: dict[str, ECKey] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for key in (self.signing, *self.retired):  # once: importing a JWK costs more than checking a signature
            self._public[self.kid(key)] = ECKey.import_key(key.as_dict(private=False))

    def kid(self, key: ECKey) -> str:
        return f"{self.did}#{key.thumbprint()}"

    @property
    def signing_kid(self) -> str:
        return self.kid(self.signing)

    def public_key(self, kid: str) -> ECKey | None:
        """The public key this issuer published under `kid`, or None."""
        return self._public.get(kid)

    def did_document(self) -> dict[str, object]:
        """The DID document: the signing key first, then every retired key, each a JsonWebKey verification method."""
        methods = [
            {
                "id": self.kid(key),
                "type": "JsonWebKey2020",
                "controller": self.did,
                "publicKeyJwk": {**key.as_dict(private=False), "alg": "ES256", "kid": key.thumbprint()},
            }
            for key in (self.signing, *self.retired)
        ]
        return {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
            "id": self.did,
            "verificationMethod": methods,
            "assertionMethod": [m["id"] for m in methods],
        }


def _write_private(path: Path, pem: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    partial.replace(path)  # whole or not at all: a crash never leaves half a key under the name


def _retired(directory: Path) -> tuple[ECKey, ...]:
    if not directory.is_dir():
        return ()
    return tuple(ECKey.import_key(p.read_bytes()) for p in sorted(directory.glob("retired-*.pem")))


def load_issuer_keys(public_url: str, directory: Path, env_key: str | None) -> IssuerKeys:
    """The keys as the settings give them: the environment's key, else the file's, generated on first use."""
    if env_key:
        signing = ECKey.import_key(env_key.encode())
    else:
        path = directory / SIGNING_FILE
        if not path.exists():
            _write_private(path, ECKey.generate_key("P-256").as_pem(private=True))
        signing = ECKey.import_key(path.read_bytes())
    if not signing.is_private or signing.as_dict(private=False).get("crv") != "P-256":
        raise ValueError("PARS_ISSUER_KEY must be a P-256 (ES256) private key in PEM")
    current = signing.thumbprint()
    return IssuerKeys(did_web(public_url), signing, tuple(k for k in _retired(directory) if k.thumbprint() != current))


def rotate_issuer_key(public_url: str, directory: Path, env_key: str | None) -> tuple[IssuerKeys, bytes | None]:
    """Retires the signing key (its public half stays listed) and makes a new one. The new key is stored in
    the directory; when the environment names the key, its PEM is handed back instead, to put there."""
    old = load_issuer_keys(public_url, directory, env_key)
    directory.mkdir(parents=True, exist_ok=True)
    public = ECKey.import_key(old.signing.as_dict(private=False)).as_pem(private=False)
    (directory / f"retired-{old.signing.thumbprint()}.pem").write_bytes(public)
    new = ECKey.generate_key("P-256").as_pem(private=True)
    if env_key:
        return IssuerKeys(old.did, ECKey.import_key(new), (old.signing, *old.retired)), new
    _write_private(directory / SIGNING_FILE, new)
    return load_issuer_keys(public_url, directory, None), None
