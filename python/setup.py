"""Build glue: compile the Rust crate one directory up and bundle libruv.so.

`pip install ./python` (pip >= 21.3 builds in-tree) runs build_py below, which
runs `cargo build --release --lib` on ../Cargo.toml and copies the cdylib into
the wheel as ruv/libruv.so.  Environment knobs at build time:

  RUV_LIBRARY=/path/libruv.so   bundle this file instead of running cargo
  RUV_SOURCE_DIR=/path/to/ruv   where Cargo.toml is (default: this file's ..)
  CARGO=/path/to/cargo          the cargo binary (default: PATH, ~/.cargo/bin)
"""

import json
import os
import shutil
import subprocess
import sys

from setuptools import setup
from setuptools.command.build_py import build_py as _build_py

HERE = os.path.dirname(os.path.abspath(__file__))
LIBNAME = "libruv.dylib" if sys.platform == "darwin" else "libruv.so"


def _find_cargo():
    cargo = os.environ.get("CARGO") or shutil.which("cargo")
    if not cargo:
        home = os.path.join(os.path.expanduser("~"), ".cargo", "bin", "cargo")
        if os.path.isfile(home):
            cargo = home
    if not cargo:
        raise SystemExit("ruv: cargo not found (install Rust, or set RUV_LIBRARY to a built libruv.so)")
    return cargo


def _build_library():
    """Run cargo and return the path of the freshly built cdylib."""
    src = os.environ.get("RUV_SOURCE_DIR") or os.path.dirname(HERE)
    manifest = os.path.join(src, "Cargo.toml")
    if not os.path.isfile(manifest):
        raise SystemExit(
            "ruv: no Cargo.toml at %s; build from the ruv checkout (pip >= 21.3 builds in-tree), "
            "or set RUV_SOURCE_DIR or RUV_LIBRARY" % src)
    cmd = [_find_cargo(), "build", "--release", "--lib", "--manifest-path", manifest,
           "--message-format=json-render-diagnostics"]
    sys.stderr.write("ruv: running %s\n" % " ".join(cmd))
    proc = subprocess.run(cmd, cwd=src, stdout=subprocess.PIPE, check=False)
    if proc.returncode != 0:
        raise SystemExit("ruv: cargo build failed with exit status %d" % proc.returncode)
    found = None
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if msg.get("reason") != "compiler-artifact":
            continue
        if "cdylib" not in msg.get("target", {}).get("kind", []):
            continue
        for fn in msg.get("filenames", []):
            if os.path.basename(fn) == LIBNAME:
                found = fn
    if not found:
        raise SystemExit("ruv: cargo built no %s" % LIBNAME)
    return found


class build_py(_build_py):
    """build_py that also puts libruv.so into the package."""

    def run(self):
        # pip reuses python/build/ between in-tree builds: start from a clean
        # package dir so files deleted from ruv/ cannot linger in the wheel.
        stale = os.path.join(self.build_lib, "ruv")
        if os.path.isdir(stale):
            shutil.rmtree(stale)
        super().run()
        lib = os.environ.get("RUV_LIBRARY") or _build_library()
        if not os.path.isfile(lib):
            raise SystemExit("ruv: RUV_LIBRARY=%s: no such file" % lib)
        dest_dir = os.path.join(self.build_lib, "ruv")
        self.mkpath(dest_dir)
        dest = os.path.join(dest_dir, LIBNAME)
        shutil.copyfile(lib, dest)
        os.chmod(dest, 0o755)
        sys.stderr.write("ruv: bundled %s\n" % lib)


cmdclass = {"build_py": build_py}

try:  # setuptools >= 70.1 ships bdist_wheel itself
    from setuptools.command.bdist_wheel import bdist_wheel as _bdist_wheel
except ImportError:
    try:
        from wheel.bdist_wheel import bdist_wheel as _bdist_wheel
    except ImportError:
        _bdist_wheel = None

if _bdist_wheel is not None:
    class bdist_wheel(_bdist_wheel):
        """A platform wheel (it carries a native library) for any Python 3."""

        def finalize_options(self):
            super().finalize_options()
            self.root_is_pure = False

        def get_tag(self):
            _python, _abi, plat = super().get_tag()
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = bdist_wheel

setup(cmdclass=cmdclass)
