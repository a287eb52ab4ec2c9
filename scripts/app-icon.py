#!/usr/bin/env python3
"""Draws the PC app's icon (a play mark on the feature's pink, rounded) as a PNG, with no imaging
library: android/desktop/src/main/resources/icons/auto-live-highlights.png, used by the window, the
tray and the package's menu entry. Run again only to change the icon."""
import struct, zlib, sys, os

SIZE = 256
PINK, WHITE = (0xC2, 0x18, 0x5B), (0xFF, 0xFF, 0xFF)

def inside_rounded(x, y, r=56):
    cx = min(max(x, r), SIZE - 1 - r)
    cy = min(max(y, r), SIZE - 1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

def inside_play(x, y):
    # A triangle pointing right, centred a little right of the middle, as play marks are.
    left, right, top, bottom = 96, 184, 72, 184
    if not (left <= x <= right and top <= y <= bottom):
        return False
    half = (bottom - top) / 2 * (1 - (x - left) / (right - left))
    return abs(y - (top + bottom) / 2) <= half

rows = bytearray()
for y in range(SIZE):
    rows.append(0)
    for x in range(SIZE):
        if not inside_rounded(x, y):
            rows += bytes((0, 0, 0, 0))
        else:
            rows += bytes((*(WHITE if inside_play(x, y) else PINK), 255))

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b"")
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "android/desktop/src/main/resources/icons/auto-live-highlights.png")
os.makedirs(os.path.dirname(out), exist_ok=True)
open(out, "wb").write(png)
print(out, len(png), "bytes")
