"""Every dependency in pyproject.toml, and everything they need in turn, installs from a wheel
(no compiler, no Rust) on each CPython that its classifiers name, on Linux (x86_64 and
aarch64), macOS (arm64) and Windows (x86_64).

pip resolves each Python and platform as that machine's pip would: `pip install --dry-run
--only-binary=:all:` with --python-version, --abi and --platform, against PyPI itself (this
machine's pip configuration, mirrors and constraints are left out, as on a fresh CI runner).
From PyPI pip reads only each wheel's metadata file (PEP 658), not the wheel; the combinations
run side by side. Environment markers (`colorama; platform_system == "Windows"`) are judged for
the target machine, not this one. The test extra is checked on Linux x86_64, where CI runs the
tests.

Needs the network (pypi.org): `-m "not network"` leaves these tests out."""

from __future__ import annotations

import json
import os
import re
import ssl
import subprocess
import sys
import textwrap
import tomllib
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
INDEX = "https://pypi.org/simple/"

# The Pythons alagen is for, from pyproject.toml's classifiers ("Programming Language :: Python
# :: 3.14"), oldest first; CI (.github/workflows/site.yml) runs the tests on the first and last.
PYTHONS = sorted((found.group(1) for found in (re.fullmatch(r"Programming Language :: Python :: (3\.\d+)", c)
                                               for c in PYPROJECT.get("classifiers", [])) if found),
                 key=Version)


def _manylinux(arch: str, glibc: int = 28) -> list[str]:
    """Wheel platforms a Linux with glibc 2.`glibc` (RHEL 8, Debian 10, Ubuntu 20.04 and newer) takes."""
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    tags = []
    for minor in range(glibc, 4, -1):
        tags.append(f"manylinux_2_{minor}_{arch}")
        if minor in legacy and (minor == 17 or arch in ("x86_64", "i686")):
            tags.append(f"{legacy[minor]}_{arch}")
    return tags


@dataclass(frozen=True)
class Platform:
    name: str  # in plain words, for messages
    tags: tuple[str, ...]  # pip --platform values (pip adds older macOS versions itself)
    markers: dict  # environment markers that differ between machines

    def __str__(self) -> str:
        return self.name


_POSIX = {"os_name": "posix"}
PLATFORMS = {
    "linux-x86_64": Platform("Linux x86_64 (manylinux, glibc 2.28)", tuple(_manylinux("x86_64")),
                             {**_POSIX, "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"}),
    "linux-aarch64": Platform("Linux aarch64 (manylinux, glibc 2.28)", tuple(_manylinux("aarch64")),
                              {**_POSIX, "sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64"}),
    "macos-arm64": Platform("macOS 14 on Apple silicon (arm64)", ("macosx_14_0_arm64",),
                            {**_POSIX, "sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64"}),
    "windows-x86_64": Platform("Windows x86_64 (win_amd64)", ("win_amd64",),
                               {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64"}),
}
# Where the test extra is checked too: the machine CI runs the tests on.
TEST_PLATFORM = "linux-x86_64"

# Pure-Python packages that PyPI has only as source (name: version, its dependencies): pip
# builds them on any machine with setuptools, no compiler. Each stands in here as a wheel with
# the dependencies its setup.py declares, so what they need is still checked.
# test_source_only_packages_are_as_known notices a new release, a wheel, or an entry not needed.
SOURCE_ONLY = {
    # feedgen>=1.0: feedgen-1.0.0.tar.gz only (2023), install_requires=['lxml', 'python-dateutil']
    "feedgen": ("1.0.0", ("lxml", "python-dateutil")),
}

# Runs pip with the environment markers of the target machine: pip's --python-version and
# --platform choose wheels, but pip judges markers by the Python running it.
_PIP = """\
import json, sys
try:
    from pip._vendor.packaging import markers
    own = markers.default_environment
except (ImportError, AttributeError) as error:
    sys.exit(f"tests/test_wheels.py cannot set pip's environment markers (pip changed?): {error!r}")
target = json.loads(sys.argv[1])
markers.default_environment = lambda: {**own(), **target}
from pip._internal.cli.main import main
sys.exit(main(sys.argv[2:]))
"""

# pip's settings that only say how to reach the network; every other PIP_* variable (and every
# pip configuration file) is this machine's own business, not a fresh machine's.
_NETWORK_SETTINGS = {"PIP_CERT", "PIP_CLIENT_CERT", "PIP_PROXY", "PIP_TIMEOUT", "PIP_DEFAULT_TIMEOUT", "PIP_RETRIES",
                     "PIP_CACHE_DIR", "PIP_NO_CACHE_DIR"}


def pip_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIP_") or key in _NETWORK_SETTINGS}
    env["PIP_CONFIG_FILE"] = os.devnull  # no /etc/pip.conf, ~/.config/pip, or a virtualenv's
    env["PYTHONWARNINGS"] = "ignore"
    return env


@dataclass
class Requirements:
    runtime: list[str]
    test: list[str] = field(default_factory=list)

    def kind(self, requirement: str) -> str:
        """How pyproject.toml names the package of `requirement`: "a dependency" or "a test dependency"."""
        if _name(requirement) in {_name(r) for r in self.test} - {_name(r) for r in self.runtime}:
            return "a test dependency ([test] in pyproject.toml)"
        return "a dependency in pyproject.toml"


def requirements() -> Requirements:
    return Requirements(list(PYPROJECT.get("dependencies", [])), list(PYPROJECT.get("optional-dependencies", {}).get("test", [])))


@dataclass
class Missing:
    requirement: str  # as pip names it, e.g. "markdown-it-pyrs<0.5,>=0.4"
    needed_by: str  # the package that asked for it, or "" for pyproject.toml itself
    top: str  # the dependency in pyproject.toml that brings it in ("" if pip did not say)
    detail: str = ""  # pip's words, when they are not a plain "no matching distribution"


@dataclass
class Resolution:
    python: str
    platform: str
    installed: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (version, file)
    missing: list[Missing] = field(default_factory=list)
    incomplete: bool = False  # stopped at a failure it could not route around


_NOT_FOUND = re.compile(r"Could not find a version that satisfies the requirement (\S+)(?: \(from (?!versions:)([^)]*)\))?")
# pip's "The conflict is caused by:" lines, when every release of a package that would do
# needs something with no wheel: "    feedparser 6.0.10 depends on sgmllib3k".
_DEPENDS = re.compile(r"^\s+(\S+) (\S+) depends on (.+)$", re.MULTILINE)


_UNREACHABLE = re.compile(r"Could not fetch URL|Retrying \(Retry\(|NewConnectionError|Max retries exceeded")


def _name(text: str) -> str:
    return canonicalize_name(re.split(r"[\s\[<>=!~;(]", text.strip(), maxsplit=1)[0])


def _parse_failure(output: str, top: dict[str, str]) -> Missing:
    """What pip could not find, from its output, and which of `top` brings it in."""
    found = _NOT_FOUND.search(output)
    if found:
        requirement, needed_by = found.group(1), (found.group(2) or "")
        if needed_by.startswith("-r "):
            needed_by = ""
        name, parent = _name(requirement), _name(needed_by) if needed_by else ""
        return Missing(requirement, needed_by, name if name in top else parent if parent in top else "")
    depends = _DEPENDS.findall(output)
    if depends:
        parent, _, requirement = depends[-1]  # the oldest release pip tried
        versions = sorted({version for who, version, _ in depends if _name(who) == _name(parent)}, key=Version)
        needed_by = f"{parent} {versions[0]} to {versions[-1]}" if len(versions) > 1 else f"{parent} {versions[0]}"
        return Missing(requirement.strip(), needed_by, _name(parent) if _name(parent) in top else "")
    errors = "\n".join(line for line in output.splitlines() if line.startswith("ERROR"))
    return Missing("", "", "", errors[-2000:] or output[-2000:] or "pip failed without saying why")


def _simple_page(name: str) -> dict:
    """PyPI's page for a project (PEP 691 JSON), fetched as pip would (its certificate, proxies)."""
    cafile = os.environ.get("PIP_CERT")
    context = ssl.create_default_context(cafile=cafile if cafile and os.path.exists(cafile) else None)
    request = urllib.request.Request(f"{INDEX}{name}/", headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(request, timeout=60, context=context) as response:
        return json.load(response)


def _write_stub_wheels(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (version, needs) in SOURCE_ONLY.items():
        dist = f"{name.replace('-', '_')}-{version}"
        with zipfile.ZipFile(folder / f"{dist}-py3-none-any.whl", "w") as wheel:
            metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {n}\n" for n in needs)
            wheel.writestr(f"{dist}.dist-info/METADATA", metadata)
            wheel.writestr(f"{dist}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: tests/test_wheels.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
            wheel.writestr(f"{dist}.dist-info/RECORD", "")
    return folder


def resolve(python: str, platform_key: str, wanted: list[str], work: Path, stubs: Path) -> Resolution:
    """What pip installs on that Python and platform, and what it finds no wheel for."""
    platform = PLATFORMS[platform_key]
    major, minor = python.split(".")
    markers = {**platform.markers, "python_version": python, "python_full_version": f"{python}.0",
               "implementation_name": "cpython", "implementation_version": f"{python}.0",
               "platform_python_implementation": "CPython"}
    result = Resolution(python, platform_key)
    top = {canonicalize_name(Requirement(r).name): r for r in wanted}
    work.mkdir(parents=True, exist_ok=True)
    report = work / "report.json"
    while top:
        report.unlink(missing_ok=True)
        command = [sys.executable, "-c", _PIP, json.dumps(markers), "install", "--dry-run", "--ignore-installed",
                   "--only-binary=:all:", "--python-version", python, "--implementation", "cp",
                   "--abi", f"cp{major}{minor}", *(f"--platform={tag}" for tag in platform.tags),
                   "--target", str(work / "target"), "--index-url", INDEX, "--find-links", str(stubs),
                   "--disable-pip-version-check", "--no-input", "--progress-bar=off", "--report", str(report), *top.values()]
        done = subprocess.run(command, capture_output=True, text=True, env=pip_environment(), timeout=300)
        if done.returncode == 0:
            data = json.loads(report.read_text(encoding="utf-8"))
            seen = data.get("environment", {})
            assert (seen.get("sys_platform"), seen.get("python_version")) == (markers["sys_platform"], python), (
                f"pip judged environment markers for {seen.get('sys_platform')} and Python {seen.get('python_version')}, "
                f"not for {platform} and Python {python}: the check cannot trust its answer")
            for item in data["install"]:
                meta = item["metadata"]
                result.installed[canonicalize_name(meta["name"])] = (meta["version"], item["download_info"]["url"].rsplit("/", 1)[-1])
            return result
        output = done.stdout + "\n" + done.stderr
        if _UNREACHABLE.search(output):
            pytest.fail(f"pip could not reach {INDEX} (these tests need the network; -m 'not network' "
                        f"leaves them out):\n{done.stderr[-2000:]}", pytrace=False)
        missing = _parse_failure(output, top)
        result.missing.append(missing)
        if not missing.top:  # no dependency of ours to leave out and try again without
            result.incomplete = True
            return result
        del top[missing.top]  # the rest may lack wheels too: look again without it
    return result


def _combinations() -> list[tuple[str, str]]:
    return [(python, platform) for python in PYTHONS for platform in PLATFORMS]


@pytest.fixture(scope="module")
def resolutions(tmp_path_factory) -> dict[tuple[str, str], Resolution]:
    try:
        _simple_page("pip")
    except OSError as error:
        pytest.fail(f"cannot reach {INDEX} ({error}); these tests need the network, -m 'not network' leaves them out",
                    pytrace=False)
    work = tmp_path_factory.mktemp("wheels")
    stubs = _write_stub_wheels(work / "source-only")
    wanted = requirements()

    def one(combination: tuple[str, str]) -> Resolution:
        python, platform = combination
        needs = wanted.runtime + (wanted.test if platform == TEST_PLATFORM else [])
        return resolve(python, platform, needs, work / f"{python}-{platform}", stubs)

    # pip spends about as long computing as waiting for PyPI: two at a time for each CPU.
    with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 2)) as pool:
        return dict(zip(_combinations(), pool.map(one, _combinations())))


def explain(resolution: Resolution, wanted: Requirements) -> str:
    """The failure in plain words: which packages have no wheel for which Python and machine."""
    lines = [f"CPython {resolution.python} on {PLATFORMS[resolution.platform]}: pip finds no wheel for"]
    for missing in resolution.missing:
        if not missing.requirement:
            lines.append("  - a package pip did not name; it said:\n" + textwrap.indent(missing.detail, "      "))
        elif not missing.needed_by:
            lines.append(f"  - {missing.requirement}, {wanted.kind(missing.requirement)}")
        else:
            owner = f" ({missing.top} is {wanted.kind(missing.top)})" if missing.top else ""
            lines.append(f"  - {missing.requirement}, needed by {missing.needed_by}{owner}")
    if resolution.incomplete:
        lines.append("  (pip stopped there: the other dependencies were not looked at for this machine)")
    lines.append("pip would have to build these from source there, which takes a compiler (and Rust, for some). "
                 "Choose releases or packages with wheels for that Python and machine (or, for a pure-Python "
                 "package that PyPI has only as source, an entry in SOURCE_ONLY in tests/test_wheels.py).")
    return "\n".join(lines)


@pytest.mark.network
@pytest.mark.parametrize("python, platform", _combinations(), ids=[f"{p}-{q}" for p, q in _combinations()])
def test_every_dependency_installs_from_a_wheel(resolutions, python, platform):
    resolution = resolutions[(python, platform)]
    if resolution.missing:
        pytest.fail(explain(resolution, requirements()), pytrace=False)


@pytest.mark.network
def test_source_only_packages_are_as_known(resolutions):
    """The packages that stand in as wheels above are still source-only, at the version known,
    and still needed."""
    used = {name for resolution in resolutions.values() for name in resolution.installed}
    for name in SOURCE_ONLY:
        assert canonicalize_name(name) in used, f"nothing needs {name} any more: drop it from SOURCE_ONLY in tests/test_wheels.py"
    for name, (version, _) in SOURCE_ONLY.items():
        page = _simple_page(name)
        files = [f["filename"] for f in page["files"] if not f.get("yanked")]
        newest = max(page.get("versions") or [version], key=Version)
        assert newest == version, (
            f"{name} {newest} is on PyPI, newer than {version} in SOURCE_ONLY: if it ships a wheel, drop {name} from "
            f"SOURCE_ONLY; if not, check its dependencies and update its entry")
        wheels = [f for f in files if f.endswith(".whl") and f.lower().startswith(f"{name.replace('-', '_')}-{version}-".lower())]
        assert not wheels, f"{name} {version} now ships a wheel ({wheels[0]}): drop {name} from SOURCE_ONLY in tests/test_wheels.py"


def test_the_pythons_named_run_from_the_oldest_requires_python_allows():
    allowed = SpecifierSet(PYPROJECT.get("requires-python", ""))
    oldest = next(f"3.{minor}" for minor in range(0, 100) if allowed.contains(f"3.{minor}"))
    expected = [f"3.{minor}" for minor in range(int(oldest[2:]), int(PYTHONS[-1][2:]) + 1)] if PYTHONS else [oldest]
    assert PYTHONS == expected, (
        f"pyproject.toml's classifiers name Pythons {PYTHONS}; requires-python {allowed} wants every one from {oldest}, "
        f"in 'Programming Language :: Python :: 3.x' classifiers")


def test_ci_runs_the_tests_on_the_oldest_and_the_newest_python():
    workflow = yaml.safe_load((REPO / ".github/workflows/site.yml").read_text(encoding="utf-8"))
    jobs = [job for job in workflow["jobs"].values()
            if any("scripts/test" in step.get("run", "") or ".ci/run" in step.get("run", "") for step in job["steps"])]
    assert len(jobs) == 1, f"{len(jobs)} jobs in site.yml run the tests"
    (job,) = jobs
    versions = [str(v) for v in job["strategy"]["matrix"]["python-version"]]
    assert versions == [PYTHONS[0], PYTHONS[-1]], f"CI tests on {versions}, not on {PYTHONS[0]} and {PYTHONS[-1]}"
    python = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "${{ matrix.python-version }}"
