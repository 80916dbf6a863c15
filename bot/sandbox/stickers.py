"""A small sticker set the emulator serves, so that people on the sandbox page can send stickers.

Telegram's static stickers are 512 × 512 WebP images with a transparent background; these are
drawn once, on the first request, with Pillow (installed with matplotlib, which /stats uses).
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import ImageDraw

SIZE = 512
BORDER = 15  # the white border stickers have, in pixels


def heart(draw: ImageDraw.ImageDraw) -> None:
    red = (226, 38, 56, 255)
    draw.ellipse((66, 86, 266, 286), fill=red)
    draw.ellipse((246, 86, 446, 286), fill=red)
    draw.polygon([(74, 220), (438, 220), (256, 440)], fill=red)


def star(draw: ImageDraw.ImageDraw) -> None:
    points = []
    for n in range(10):
        radius = 220 if n % 2 == 0 else 94
        angle = -math.pi / 2 + n * math.pi / 5
        points.append((256 + radius * math.cos(angle), 276 + radius * math.sin(angle)))
    draw.polygon(points, fill=(255, 196, 36, 255))


def candle(draw: ImageDraw.ImageDraw) -> None:
    draw.rounded_rectangle((176, 220, 336, 480), radius=18, fill=(246, 238, 220, 255))
    draw.ellipse((210, 50, 302, 196), fill=(255, 160, 30, 255))
    draw.ellipse((234, 110, 278, 190), fill=(255, 232, 120, 255))
    draw.rectangle((251, 190, 261, 222), fill=(60, 50, 40, 255))


def tulip(draw: ImageDraw.ImageDraw) -> None:
    green, pink = (60, 150, 70, 255), (232, 70, 120, 255)
    draw.rectangle((246, 250, 266, 480), fill=green)
    draw.ellipse((140, 330, 256, 410), fill=green)
    draw.chord((140, 40, 372, 300), 0, 180, fill=pink)
    draw.polygon(
        [(140, 170), (150, 60), (206, 120), (256, 40), (306, 120), (362, 60), (372, 170)],
        fill=pink,
    )


# The set, by the emoji each sticker stands for (Telegram gives every sticker one).
DRAWINGS: dict[str, Callable[[ImageDraw.ImageDraw], None]] = {
    "❤️": heart,
    "⭐": star,
    "🕯️": candle,
    "🌷": tulip,
}


def draw_stickers() -> dict[str, bytes]:
    """Every sticker of the set as WebP, by its emoji."""
    from PIL import Image, ImageDraw, ImageFilter

    drawn = {}
    for emoji, drawing in DRAWINGS.items():
        picture = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
        drawing(ImageDraw.Draw(picture))
        # The shape grown by BORDER pixels: blurred, then every touched pixel kept (a max
        # filter of that size takes seconds; this, milliseconds).
        blurred = picture.getchannel("A").filter(ImageFilter.GaussianBlur(BORDER / 2))
        border = blurred.point(lambda value: 255 if value > 3 else 0)
        sticker = Image.new("RGBA", (SIZE, SIZE), (255, 255, 255, 0))
        sticker.putalpha(border)
        sticker.alpha_composite(picture)
        output = io.BytesIO()
        sticker.save(output, format="WEBP", lossless=True)
        drawn[emoji] = output.getvalue()
    return drawn
