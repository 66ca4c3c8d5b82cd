"""`python -m bench [NAME] [OPTIONS]`: runs the named benchmark, or every benchmark when no name is given."""

from __future__ import annotations

import importlib
import sys

#: name -> module under bench/ with a `main(argv) -> int`
BENCHES = {
    "providers": "bench.providers",
    "activities_import": "bench.activities_import",
    "annual": "bench.annual",
    "audit": "bench.audit",
    "learners": "bench.learners",
    "web": "bench.web",
    "feeds": "bench.feeds",
    "acks": "bench.acks",
    "webhooks": "bench.webhooks",
    "tokens": "bench.tokens",
    "erasure": "bench.erasure",
    "uploads": "bench.uploads",
    "throughput": "bench.throughput",
    "credentials": "bench.credentials",
    "oversight": "bench.oversight",
    "licences": "bench.licences",
}


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print("benchmarks: " + ", ".join(BENCHES))
        print("options of one benchmark: python -m bench NAME --help")
        return 0
    if argv and not argv[0].startswith("-"):
        name, rest = argv[0], argv[1:]
        if name not in BENCHES:
            print(f"unknown benchmark {name!r}; known: {', '.join(BENCHES)}", file=sys.stderr)
            return 2
        names = [name]
    else:
        names, rest = list(BENCHES), argv  # options apply to every benchmark that takes them
    status = 0
    for name in names:
        status |= importlib.import_module(BENCHES[name]).main(rest)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
