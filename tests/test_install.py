"""The lock installs from PyPI alone, on any platform, without torch's stack.

No network here: the lock must pin only plain public releases (``name==version``, no local
``+cpu`` label, no URL, path or other index), and no platform may get torch, CUDA packages or
sentence-transformers. That every pin exists on PyPI is what CI's install proves.
"""

import re
import tomllib
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
NEVER_INSTALLED = re.compile(r"^(torch|sentence-transformers|transformers|nvidia-.*|triton)$")
PLATFORMS = {
    "Linux x86_64": {"sys_platform": "linux", "platform_machine": "x86_64"},
    "Linux arm64": {"sys_platform": "linux", "platform_machine": "aarch64"},
    "macOS arm64": {"sys_platform": "darwin", "platform_machine": "arm64"},
    "macOS x86_64": {"sys_platform": "darwin", "platform_machine": "x86_64"},
    "Windows": {"sys_platform": "win32", "platform_machine": "AMD64"},
}


def lock_lines(text: str) -> list[str]:
    """The requirement lines of a pip requirements file (comments and blanks dropped)."""
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def problems(text: str) -> list[str]:
    """Everything in a lock that the public index could not install as written."""
    found = []
    for line in lock_lines(text):
        if line.startswith("-"):
            found.append(f"{line}: an option (index, find-links, editable) in the lock")
            continue
        requirement = Requirement(line)
        pins = list(requirement.specifier)
        if requirement.url or len(pins) != 1 or pins[0].operator != "==":
            found.append(f"{line}: not pinned as name==version")
            continue
        version = Version(pins[0].version)
        if version.local:
            found.append(f"{line}: the local build +{version.local} is on no public index")
    return found


def installed_on(text: str, platform: dict[str, str]) -> set[str]:
    """The names a platform installs from the lock (markers evaluated for it)."""
    environment = {key: str(value) for key, value in default_environment().items()} | platform
    names: set[str] = set()
    for line in lock_lines(text):
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            names.add(canonicalize_name(requirement.name))
    return names


def test_the_lock_pins_only_public_releases() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")

    assert problems(lock) == []


def test_a_local_build_or_an_unpinned_line_is_caught() -> None:
    lock = "torch==2.13.0+cpu\nnumpy>=2\n--extra-index-url https://example.org/simple\nrich==15.0\n"

    assert problems(lock) == [
        "torch==2.13.0+cpu: the local build +cpu is on no public index",
        "numpy>=2: not pinned as name==version",
        "--extra-index-url https://example.org/simple: an option (index, find-links, "
        "editable) in the lock",
    ]


def test_no_platform_installs_torch_or_cuda() -> None:
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")

    pulled = {
        name: sorted(n for n in installed_on(lock, platform) if NEVER_INSTALLED.match(n))
        for name, platform in PLATFORMS.items()
    }

    assert pulled == {name: [] for name in PLATFORMS}


def test_every_dependency_of_the_project_is_in_the_lock() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    wanted = [*project["dependencies"], *project["optional-dependencies"]["dev"]]

    missing = {
        name: sorted(
            canonicalize_name(Requirement(w).name)
            for w in wanted
            if canonicalize_name(Requirement(w).name) not in installed_on(lock, platform)
        )
        for name, platform in PLATFORMS.items()
    }

    assert missing == {name: [] for name in PLATFORMS}
