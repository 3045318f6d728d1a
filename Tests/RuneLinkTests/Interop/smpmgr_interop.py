"""PyPI's smpmgr command line against the RunicOS link harness (link_harness.c): echo, an
upgrade (upload, then reset), and the image state afterwards.

    python smpmgr_interop.py PORT IMAGE

smpmgr wants a serial device, so a pseudo-terminal stands in for one: this script copies
bytes between the pty and the harness's TCP port while smpmgr runs as a subprocess on the
pty's path. Run by RuneLinkTests' SMPClientInteropTests with a Python that has smpmgr.
"""

import hashlib
import os
import pty
import select
import socket
import subprocess
import sys
import threading
import tty


def bridge(master: int, link: socket.socket, stop: threading.Event) -> None:
    while not stop.is_set():
        ready, _, _ = select.select([master, link], [], [], 0.1)
        if master in ready:
            try:
                link.sendall(os.read(master, 4096))
            except OSError:
                pass  # no one has the terminal open between smpmgr runs
        if link in ready:
            data = link.recv(4096)
            if not data:
                return
            os.write(master, data)


def smpmgr(device: str, *arguments: str) -> str:
    environment = dict(os.environ, COLUMNS="200", NO_COLOR="1", TERM="dumb")
    run = subprocess.run(
        [sys.executable, "-m", "smpmgr", "--port", device, "--timeout", "5", *arguments],
        capture_output=True, text=True, timeout=60, env=environment,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, f"smpmgr {' '.join(arguments)} failed ({run.returncode}):\n{output}"
    return output


def main(port: int, image_path: str) -> None:
    master, slave = pty.openpty()
    tty.setraw(slave)  # a serial line, not a terminal: no echo, no newline translation
    device = os.ttyname(slave)
    link = socket.create_connection(("127.0.0.1", port), timeout=10)
    stop = threading.Event()
    thread = threading.Thread(target=bridge, args=(master, link, stop), daemon=True)
    thread.start()
    try:
        output = smpmgr(device, "os", "echo", "hello from smpmgr")
        assert "r='hello from smpmgr'" in output, output
        print("smpmgr echo ok")

        # RunicOS images are not MCUboot images: the device checks them itself.
        output = smpmgr(device, "upgrade", "--format=any", image_path)
        assert "Upgrade complete" in output, output
        print("smpmgr upgrade ok")

        digest = hashlib.sha256(open(image_path, "rb").read()).hexdigest().upper()
        output = smpmgr(device, "image", "state-read")
        assert digest in output and "active=True" in output, output
        print("smpmgr image state ok")
    finally:
        stop.set()
        thread.join(timeout=5)
        link.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
