"""Removable drives (USB sticks) to offer first when a bundle is written.

Qt lists the mounted volumes (:func:`QStorageInfo.mountedVolumes`); which of them are removable
is the platform's business: on Windows a drive of type ``DRIVE_REMOVABLE`` (``GetDriveTypeW``);
on Linux a mount under ``/media``, ``/run/media`` or ``/mnt`` (as ``/proc/mounts`` lists them);
on macOS a volume under ``/Volumes``. :func:`removable` decides on plain :class:`Volume`
values, so it is tested with a made-up list on any platform.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from trainer_app import i18n
from trainer_app.i18n import _

DRIVE_REMOVABLE = 2  # GetDriveTypeW
LINUX_PREFIXES = ("/media/", "/run/media/", "/mnt/")
MAC_PREFIX = "/Volumes/"
_OCTAL = re.compile(r"\\([0-7]{3})")
# file systems that are never a stick someone plugged in
VIRTUAL_FS = frozenset({
    "tmpfs", "devtmpfs", "proc", "sysfs", "overlay", "squashfs", "autofs", "cgroup", "cgroup2",
    "debugfs", "tracefs", "securityfs", "fusectl", "configfs", "binfmt_misc", "mqueue",
    "hugetlbfs", "pstore", "bpf", "nsfs", "ramfs", "devpts",
})


@dataclass(frozen=True)
class Volume:
    """A mounted volume as the platform reports it."""

    root: str
    label: str = ""
    fs_type: str = ""
    ready: bool = True
    read_only: bool = False
    is_root: bool = False
    free: int = -1  # bytes available, -1 when unknown
    size: int = -1


@dataclass(frozen=True)
class Drive:
    """A removable drive a bundle can be written to."""

    root: str
    label: str
    free: int = -1
    size: int = -1

    def text(self) -> str:
        """"KINGSTON (E:\\) — removable drive, 12.5 GB free" in the user's language."""
        name = self.label or Path(self.root).name or self.root
        if self.free >= 0:
            return _("{name} ({root}) — removable drive, {free} free").format(
                root=self.root, name=name, free=size_text(self.free))
        return _("{name} ({root}) — removable drive").format(root=self.root, name=name)


def size_text(n: int) -> str:
    units = ((1 << 30, _("{n} GB")), (1 << 20, _("{n} MB")), (1 << 10, _("{n} KB")))
    for factor, unit in units:
        if n >= factor:
            return unit.format(n=i18n.format_number(n / factor, 1))
    return _("{n} bytes").format(n=i18n.format_number(n, 0))


def linux_mounts(text: str) -> list[tuple[str, str]]:
    """``(mount point, file system type)`` of each line of ``/proc/mounts`` (octal escapes such
    as ``\\040`` for a space decoded)."""
    out = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3:
            point = _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), fields[1])
            out.append((point, fields[2]))
    return out


def _windows_drive_type(root: str) -> int:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    return int(kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)))


def is_removable(volume: Volume, platform: str = sys.platform,
                 drive_type: Callable[[str], int] | None = None,
                 mounts: Iterable[str] | None = None) -> bool:
    """Whether a volume is a removable drive to offer for writing a bundle."""
    if not volume.ready or volume.read_only or volume.is_root or not volume.root:
        return False
    if volume.fs_type.lower() in VIRTUAL_FS:
        return False
    if platform.startswith("win"):
        kind = (drive_type or _windows_drive_type)(volume.root)
        return kind == DRIVE_REMOVABLE
    root = volume.root.rstrip("/") + "/"
    if platform == "darwin":
        return root.startswith(MAC_PREFIX) and root != MAC_PREFIX
    if not root.startswith(LINUX_PREFIXES):
        return False
    return mounts is None or volume.root.rstrip("/") in {m.rstrip("/") for m in mounts}


def removable(volumes: Iterable[Volume], platform: str = sys.platform,
              drive_type: Callable[[str], int] | None = None,
              mounts: Iterable[str] | None = None) -> list[Drive]:
    """The removable drives among ``volumes``, each once, in root order."""
    mounts = list(mounts) if mounts is not None else None
    seen: dict[str, Drive] = {}
    for v in volumes:
        try:
            keep = is_removable(v, platform, drive_type, mounts)
        except (OSError, AttributeError, ValueError):
            keep = False
        if keep and v.root not in seen:
            seen[v.root] = Drive(v.root, v.label, v.free, v.size)
    return [seen[k] for k in sorted(seen)]


def _volume(info) -> Volume | None:
    from PySide6.QtCore import QDir

    if not info.isValid():
        return None
    return Volume(
        # "E:\\" on Windows, as GetDriveTypeW wants it
        root=QDir.toNativeSeparators(info.rootPath()),
        label=info.displayName() if info.name() else "",
        fs_type=bytes(info.fileSystemType().data()).decode("utf-8", "replace"),
        ready=info.isReady(), read_only=info.isReadOnly(), is_root=info.isRoot(),
        free=int(info.bytesAvailable()), size=int(info.bytesTotal()),
    )


def mounted_volumes() -> list[Volume]:
    """Every mounted volume Qt knows of."""
    from PySide6.QtCore import QStorageInfo

    return [v for v in map(_volume, QStorageInfo.mountedVolumes()) if v is not None]


def _candidate_roots() -> list[str] | None:
    """Roots that may be removable drives, found without asking every volume (a network
    drive that went away can make asking it slow); None: ask Qt for all of them."""
    if sys.platform.startswith("win"):
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        mask = int(kernel32.GetLogicalDrives())
        roots = [f"{chr(65 + i)}:\\" for i in range(26) if mask >> i & 1]
        return [r for r in roots if _windows_drive_type(r) == DRIVE_REMOVABLE]
    if sys.platform == "darwin":
        try:
            return [str(p) for p in Path(MAC_PREFIX).iterdir() if p.is_dir()]
        except OSError:
            return []
    if sys.platform.startswith("linux"):
        try:
            text = Path("/proc/mounts").read_text("utf-8", "replace")
        except OSError:
            return None
        return [point for point, fs in linux_mounts(text)
                if (point.rstrip("/") + "/").startswith(LINUX_PREFIXES)
                and fs.lower() not in VIRTUAL_FS]
    return None


def removable_drives() -> list[Drive]:
    """The removable drives plugged in now (an empty list when they cannot be told)."""
    try:
        from PySide6.QtCore import QStorageInfo

        roots = _candidate_roots()
        if roots is None:
            volumes = mounted_volumes()
        else:
            volumes = [v for v in (_volume(QStorageInfo(r)) for r in roots) if v is not None]
        return removable(volumes, mounts=roots if sys.platform.startswith("linux") else None)
    except Exception:  # noqa: BLE001 - never worth an error: the user can choose a folder
        return []
