"""PyPI's smpclient against the RunicOS link harness (link_harness.c): echo, MCUmgr
parameters, an image upload and the image state that follows, and a corrupted upload that
the device must refuse in a way smpclient reports as an error.

    python smpclient_interop.py PORT IMAGE

Run by RuneLinkTests' SMPClientInteropTests with a Python that has `smpclient[serial]`.
pyserial's socket:// URL stands in for the serial port; everything above it (framing, CBOR,
sequence numbers, chunk sizing from buf_size, the upload loop) is smpclient's own.
"""

import asyncio
import hashlib
import sys

from serial.urlhandler.protocol_socket import Serial as SocketSerial
from smpclient import SMPClient
from smpclient.exceptions import SMPUploadError
from smpclient.generics import success
from smpclient.requests.image_management import ImageStatesRead
from smpclient.requests.os_management import EchoWrite
from smpclient.transport.serial import SMPSerialTransport


class _SocketPort(SocketSerial):
    @property
    def out_waiting(self) -> int:  # TCP has no output queue to drain that pyserial can see
        return 0


class SocketSMPSerialTransport(SMPSerialTransport):
    """smpclient's serial transport on a socket:// URL instead of a device node."""

    async def connect(self, address: str, timeout_s: float) -> None:
        self._reset_state()
        port = _SocketPort()
        port.timeout = 0
        port.port = address
        port.open()
        self._conn = port  # type: ignore[misc]


async def main(port: int, image_path: str) -> None:
    image = open(image_path, "rb").read()
    client = SMPClient(SocketSMPSerialTransport(), f"socket://127.0.0.1:{port}", timeout_s=5)
    await client.connect()
    try:
        echo = await client.request(EchoWrite(d="hello from smpclient"))
        assert success(echo), f"echo failed: {echo}"
        assert echo.r == "hello from smpclient", echo
        print(f"echo ok; max message {client._transport.max_unencoded_size}")

        offsets = [offset async for offset in client.upload(image)]
        assert offsets and offsets[-1] == len(image), offsets
        print(f"upload ok in {len(offsets)} chunks")

        state = await client.request(ImageStatesRead())
        assert success(state), f"image state failed: {state}"
        digest = hashlib.sha256(image).digest()
        active = [i for i in state.images if i.active]
        assert len(active) == 1 and active[0].hash == digest, state
        print(f"image state ok: slot {active[0].slot} active")

        corrupt = bytearray(image)
        corrupt[len(corrupt) // 2] ^= 0x01
        try:
            async for _ in client.upload(bytes(corrupt)):
                pass
            raise AssertionError("a corrupted image was accepted")
        except SMPUploadError as refusal:
            print(f"corrupt upload refused: {refusal}")
        state = await client.request(ImageStatesRead())
        active = [i for i in state.images if i.active]
        assert len(active) == 1 and active[0].hash == digest, state
        print("the good image stays active")
    finally:
        await client.disconnect()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
