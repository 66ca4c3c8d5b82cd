"""`pars admin rotate-issuer-key`: a new key to sign the CME Passport's credentials."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from adapters.cli.system import err, settings_or_exit


def rotate_issuer_key_command() -> None:
    """Retires the key that signs the CME Passport's credentials and makes a new one. The old key's public half
    stays in the DID document, so credentials it signed still verify. With PARS_ISSUER_KEY set, the new key is
    printed (PEM) to put there instead. Restart `pars serve` to sign with the new key."""
    from adapters.credentials.keys import rotate_issuer_key

    settings = settings_or_exit()
    keys, pem = rotate_issuer_key(settings.public_base(), Path(settings.issuer_key_dir), settings.issuer_key)
    if pem is not None:
        sys.stdout.write(pem.decode())
        err.print("Set PARS_ISSUER_KEY to the key above; the old one stays listed as retired.")
        return
    typer.echo(
        json.dumps({"did": keys.did, "signing": keys.signing_kid, "retired": [keys.kid(k) for k in keys.retired]})
    )
