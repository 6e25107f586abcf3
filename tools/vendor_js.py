"""Refresh the playground's vendored JavaScript from the npm registry (maintainers only).

The chapter 11 playground (``_static/playground/``) draws its charts with uPlot and runs its matrix
products in WebAssembly compiled from ``kernels.wat``. Both results are committed, so ``make book``
needs neither Node nor the network; this script rebuilds them:

- uPlot: ``npm pack uplot@<pin>``, then ``dist/uPlot.iife.min.js``, ``dist/uPlot.min.css`` and
  ``LICENSE`` are copied into ``_static/playground/vendor/uplot/``;
- the kernels: ``npm pack wabt@<pin>`` (WebAssembly's own text-to-binary assembler, run by Node)
  compiles ``kernels.wat`` twice, as written (SIMD) and with every multiply-add fused
  (relaxed SIMD), into ``_static/playground/kernels.js`` as base64;
- ``_static/playground/vendor/VENDOR.json`` records the versions, the tarballs' integrity hashes
  and the SHA-256 of every output (and of the ``kernels.wat`` it was built from).

Usage::

    python tools/vendor_js.py                 # rebuild at the pinned versions
    python tools/vendor_js.py --uplot 1.6.33  # move uPlot's pin (then update PINS below)
    python tools/vendor_js.py --check         # offline: the files match VENDOR.json

Needs Node 18 or newer and npm for a rebuild; ``--check`` needs neither.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAYGROUND = ROOT / "_static" / "playground"
VENDOR = PLAYGROUND / "vendor"
MANIFEST = VENDOR / "VENDOR.json"
KERNELS_WAT = PLAYGROUND / "kernels.wat"
KERNELS_JS = PLAYGROUND / "kernels.js"

PINS = {"uplot": "1.6.32", "wabt": "1.0.39"}
UPLOT_FILES = {
    "package/dist/uPlot.iife.min.js": "uplot/uPlot.iife.min.js",
    "package/dist/uPlot.min.css": "uplot/uPlot.min.css",
    "package/LICENSE": "uplot/LICENSE",
}

# Every multiply-add in kernels.wat is written in this one form (see the file's header).
MULTIPLY_ADD = re.compile(
    r"\(f32x4\.add \(local\.get (\$\w+)\) "
    r"\(f32x4\.mul \(local\.get (\$\w+)\) \(local\.get (\$\w+)\)\)\)"
)

FUSED = r"(f32x4.relaxed_madd (local.get \2) (local.get \3) (local.get \1))"

COMPILE_JS = """
const wabt = await require(process.argv[2])();
const fs = require('fs');
const out = {};
for (const [variant, path] of [['simd', process.argv[3]], ['relaxed', process.argv[4]]]) {
  const module = wabt.parseWat(path, fs.readFileSync(path, 'utf8'),
                               {simd: true, relaxed_simd: true});
  module.validate();
  out[variant] = Buffer.from(module.toBinary({}).buffer).toString('base64');
  module.destroy();
}
process.stdout.write(JSON.stringify(out));
"""


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(command: list[str]) -> str:
    """Run a command; on failure, stop with its error output."""
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def npm_pack(package: str, version: str, into: Path) -> tuple[Path, str]:
    """Download ``package@version``'s tarball with npm; return its path and integrity hash."""
    stdout = run(["npm", "pack", f"{package}@{version}", "--json", "--pack-destination", str(into)])
    info = json.loads(stdout)[0]
    return into / info["filename"], info["integrity"]


def vendor_uplot(version: str, work: Path) -> dict:
    tarball, integrity = npm_pack("uplot", version, work)
    target = VENDOR / "uplot"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    with tarfile.open(tarball) as tar:
        for member, name in UPLOT_FILES.items():
            data = tar.extractfile(member)
            if data is None:
                raise SystemExit(f"uplot@{version}: {member} is missing from the tarball")
            (VENDOR / name).write_bytes(data.read())
    return {
        "version": version,
        "source": f"npm:uplot@{version}",
        "integrity": integrity,
        "license": "MIT",
        "files": {name: sha256(VENDOR / name) for name in UPLOT_FILES.values()},
    }


def build_kernels(wabt_version: str, work: Path) -> dict:
    tarball, integrity = npm_pack("wabt", wabt_version, work)
    with tarfile.open(tarball) as tar:
        tar.extractall(work / "wabt", filter="data")
    source = KERNELS_WAT.read_text(encoding="utf-8")
    fused_lines, count = [], 0
    for line in source.splitlines(keepends=True):
        if not line.lstrip().startswith(";;"):
            line, n = MULTIPLY_ADD.subn(FUSED, line)
            count += n
        fused_lines.append(line)
    fused = "".join(fused_lines)
    if count == 0:
        raise SystemExit("kernels.wat: found no multiply-add to fuse")
    relaxed = work / "kernels_relaxed.wat"
    relaxed.write_text(fused, encoding="utf-8")
    script = work / "compile.mjs"
    script.write_text(
        "import { createRequire } from 'module';\nconst require = createRequire(import.meta.url);\n"
        + COMPILE_JS,
        encoding="utf-8",
    )
    stdout = run(
        ["node", str(script), str(work / "wabt" / "package"), str(KERNELS_WAT), str(relaxed)]
    )
    binaries = json.loads(stdout)
    sizes = {k: len(base64.b64decode(v)) for k, v in binaries.items()}
    KERNELS_JS.write_text(
        "// Generated by tools/vendor_js.py from kernels.wat with wabt "
        f"{wabt_version}: do not edit.\n"
        f"// kernels.wat sha256 {sha256(KERNELS_WAT)}; {count} multiply-adds fused in 'relaxed'.\n"
        f"// Sizes in bytes: simd {sizes['simd']}, relaxed {sizes['relaxed']}.\n"
        f"self.WTINIT_KERNELS = {json.dumps(binaries, indent=2)};\n",
        encoding="utf-8",
    )
    return {
        "assembler": f"npm:wabt@{wabt_version}",
        "integrity": integrity,
        "source_sha256": sha256(KERNELS_WAT),
        "output_sha256": sha256(KERNELS_JS),
        "bytes": sizes,
    }


def check() -> list[str]:
    """What differs between the vendored files and VENDOR.json (empty when all is in order)."""
    if not MANIFEST.is_file():
        return [f"{MANIFEST.relative_to(ROOT)} is missing: run python tools/vendor_js.py"]
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    problems = []
    uplot = manifest["uplot"]
    if uplot["version"] != PINS["uplot"]:
        problems.append(f"uPlot {uplot['version']} is vendored but the pin is {PINS['uplot']}")
    for name, digest in uplot["files"].items():
        path = VENDOR / name
        if not path.is_file() or sha256(path) != digest:
            problems.append(f"{path.relative_to(ROOT)} differs from VENDOR.json")
    kernels = manifest["kernels"]
    if sha256(KERNELS_WAT) != kernels["source_sha256"]:
        problems.append("kernels.wat changed since kernels.js was built: run tools/vendor_js.py")
    if not KERNELS_JS.is_file() or sha256(KERNELS_JS) != kernels["output_sha256"]:
        problems.append("kernels.js differs from VENDOR.json: run tools/vendor_js.py")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify, offline")
    parser.add_argument("--uplot", default=PINS["uplot"], help="uPlot version to vendor")
    parser.add_argument("--wabt", default=PINS["wabt"], help="wabt version to compile with")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        if not problems:
            print("vendored files match VENDOR.json")
        return 1 if problems else 0
    for tool in ("npm", "node"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed to refresh the vendored files (Node 18 or newer)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        VENDOR.mkdir(parents=True, exist_ok=True)
        manifest = {
            "comment": "Written by tools/vendor_js.py (--check verifies the files against it).",
            "uplot": vendor_uplot(args.uplot, work),
            "kernels": build_kernels(args.wabt, work),
        }
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    print(f"vendored uPlot {args.uplot}, compiled kernels.wat with wabt {args.wabt}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
