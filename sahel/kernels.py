"""Warm notebook kernels: fork each kernel from a process that has imported what notebooks need.

A kernel normally starts as ``python -m ipykernel_launcher -f CONNECTION`` and
imports ipykernel, pandas, matplotlib and seaborn again, which takes about as
long as running one of the notebooks. :class:`KernelForker` imports
:data:`PRELOAD` once and forks each kernel from itself (POSIX only);
:func:`forked_kernel_manager` is the ``kernel_manager_class`` papermill (via
nbclient) uses to get kernels from it. Used by :mod:`sahel.report`.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from typing import Any

PRELOAD = ("ipykernel.kernelapp", "IPython.display", "pandas", "matplotlib.pyplot", "seaborn",
           "sahel.narrative", "sahel.params", "sahel.plots")
"""What every notebook's kernel imports: a :class:`KernelForker` imports it once."""


class KernelForker:
    """A process that imports :data:`PRELOAD` once, then forks each notebook's kernel.

    A kernel normally starts as ``python -m ipykernel_launcher -f CONNECTION`` and
    imports ipykernel, pandas, matplotlib and seaborn again: about as long as the
    notebook itself takes. Forked from this warm process (POSIX only) it starts at
    once, then runs exactly as a launched one would: ``IPKernelApp`` with the same
    arguments, working directory and environment, in a new session (process group).
    Requests come over a Unix socket, so any worker process may ask; the forker
    exits when :meth:`close` is called or every process holding its pipe has ended.
    """

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="sahel-kernels-")
        self.address = os.path.join(self.directory, "forker.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(self.address)
        listener.listen(16)
        alive_r, self._alive = os.pipe()
        for stream in (sys.stdout, sys.stderr):  # or the forker's copies of the buffers get written too
            stream.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the forker
            code = 1
            try:
                os.close(self._alive)
                _serve_kernels(listener, alive_r)
                code = 0
            finally:
                os._exit(code)
        listener.close()
        os.close(alive_r)

    def spawn(self, argv: list[str], cwd: str, env: dict[str, str]) -> int:
        """Fork a kernel running ``IPKernelApp`` with ``argv``; its pid."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(self.address)
            s.sendall(json.dumps({"argv": argv, "cwd": cwd, "env": env}).encode())
            s.shutdown(socket.SHUT_WR)
            answer = s.makefile("rb").read()
        if not answer.strip().isdigit():
            raise RuntimeError(f"the kernel forker could not start a kernel: {answer[-500:]!r}")
        return int(answer)

    def close(self) -> None:
        """Stop the forker (kernels it started are in their own sessions and live on)."""
        if self._alive is not None:
            os.close(self._alive)
            self._alive = None
            try:
                os.kill(self.pid, signal.SIGTERM)  # it may still be importing
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            shutil.rmtree(self.directory, ignore_errors=True)


def _serve_kernels(listener: socket.socket, alive: int) -> None:
    import importlib

    # what ipykernel does before the first import of matplotlib (IPKernelApp.init_gui_pylab)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # what ipykernel_launcher does: the working directory is not importable
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    # sahel is imported again from where the kernel would import it
    for name in [m for m in sys.modules if m == "sahel" or m.startswith("sahel.")]:
        del sys.modules[name]
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the kernel will raise it where it belongs
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped as they exit
    while True:
        ready, _, _ = select.select([listener, alive], [], [])
        if alive in ready:  # closed: the report is done (or its processes are gone)
            return
        conn, _ = listener.accept()
        with conn:
            try:
                request = json.loads(conn.makefile("rb").read())
                pid = os.fork()
            except Exception as exc:  # noqa: BLE001 - answered to the worker
                conn.sendall(repr(exc).encode())
                continue
            if pid == 0:
                listener.close()
                os.close(alive)
                _run_kernel(conn, request)
            conn.sendall(str(pid).encode())


def _run_kernel(conn: socket.socket, request: dict[str, Any]) -> None:
    """In a forked child: become the kernel ``python -m ipykernel_launcher ARGV`` would be."""
    code = 1
    try:
        conn.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        from ipykernel.kernelapp import IPKernelApp

        argv = list(request["argv"])
        if os.environ.get("JPY_PARENT_PID", "").isdigit():  # read when ipykernel was imported
            argv.append(f"--IPKernelApp.parent_handle={os.environ['JPY_PARENT_PID']}")
            _exit_with(int(os.environ["JPY_PARENT_PID"]))
        sys.argv = [sys.executable, *argv]
        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except BaseException:  # noqa: BLE001 - shown on stderr as a launched kernel would
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001
                pass
        os._exit(code)


def _exit_with(pid: int) -> None:
    """End this kernel when process ``pid`` (the worker that asked for it) is gone, as
    ipykernel's parent poller does for a launched kernel, whose parent that worker is."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass

    threading.Thread(target=watch, name="sahel-parent-watch", daemon=True).start()


class _ForkedProcess:
    """The parts of :class:`subprocess.Popen` jupyter_client uses, for a kernel that is
    not a child of this process (it is the forker's, which reaps it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                import subprocess

                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.01)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def forked_kernel_manager(forker: KernelForker) -> type:
    """An ``AsyncKernelManager`` class whose ipykernel kernels come from ``forker``
    (other kernels, and kernels of another Python, are launched as usual)."""
    from jupyter_client.manager import AsyncKernelManager

    class ForkedKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            # local sockets beside the forker's: no TCP ports (nor ipykernel's warning about them)
            self.transport = "ipc"
            self.ip = os.path.join(forker.directory, f"kernel-{os.getpid()}-{id(self):x}")

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            if (len(kernel_cmd) < 3 or kernel_cmd[1:3] != ["-m", "ipykernel_launcher"]
                    or os.path.abspath(kernel_cmd[0]) != os.path.abspath(sys.executable)):
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            env = dict(os.environ if kw.get("env") is None else kw["env"])
            if not kw.get("independent"):  # as jupyter_client.launcher.launch_kernel does
                env["JPY_PARENT_PID"] = str(os.getpid())
            pid = forker.spawn(kernel_cmd[3:], str(kw.get("cwd") or os.getcwd()), env)
            provisioner = self.provisioner
            provisioner.process = _ForkedProcess(pid)
            provisioner.pid = provisioner.pgid = pid
            provisioner.cwd = kw.get("cwd")
            self._reconcile_connection_info(provisioner.connection_info)

    return ForkedKernelManager
