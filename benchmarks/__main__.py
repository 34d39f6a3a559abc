"""``python -m benchmarks`` (``make bench``): time the whole book and print the tables.

    python -m benchmarks                       # kernels, demos, then every notebook (a few minutes)
    python -m benchmarks --only kernels demos  # skip executing the notebooks

Tables are printed as they finish and saved to benchmarks/results/ (latest.md, latest.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from importlib import metadata

from benchmarks import RESULTS

SECTIONS = ("kernels", "demos", "pages", "live", "notebooks")  # fastest first, so the first table appears within seconds
PACKAGES = ("dlbook", "numpy", "scipy", "torch", "matplotlib", "scikit-learn", "nbclient")


def environment() -> str:
    versions = ", ".join(f"{p} {_version(p)}" for p in PACKAGES)
    return (f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} CPU core(s); {versions}")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                        help="run only these sections")
    parser.add_argument("--pages", default=None, metavar="GLOB",
                        help="live section: only built pages matching this glob (e.g. 'chapters/0[2-6]-*/*')")
    args = parser.parse_args(argv)

    from benchmarks import demos, kernels, live, notebooks, pages  # imported here so --help is instant

    modules = {"kernels": kernels, "demos": demos, "pages": pages, "live": live, "notebooks": notebooks}
    env = environment()
    print(f"Benchmarks of the book. {env}\n", flush=True)
    started = time.perf_counter()
    results, tables = {}, []
    for section in SECTIONS:
        if section not in args.only:
            continue
        module = modules[section]
        results[section] = module.run(pages=args.pages) if section == "live" else module.run()
        tables.append(module.report(results[section]))
        print("\n" + tables[-1] + "\n", flush=True)
    print(f"Done in {time.perf_counter() - started:.0f} s. The benchmarks report; they do not fail on time.")

    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    doc = {"when": stamp, "environment": env, **results}
    for name in (f"{stamp}.json", "latest.json"):
        (RESULTS / name).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    (RESULTS / "latest.md").write_text(f"# Benchmarks, {stamp}\n\n{env}\n\n" + "\n\n".join(tables) + "\n",
                                       encoding="utf-8")
    print(f"Saved to {RESULTS.relative_to(RESULTS.parents[1])}/latest.md and latest.json.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
