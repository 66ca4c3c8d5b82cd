"""The CME Passport's verifiable credentials: the issuer's keys and DID, JWT-VC signing and verification."""
