"""Gallery thumbnails: each example's first figure (or an animation's still) shrunk for its card.

The Examples gallery shows a card ~306 CSS px wide per example; loading the full figures (19 of them,
1.17 MB) for that wasted bytes. A thumbnail is THUMB_WIDTH px wide (sharp at 1.5x on a 320 px
card), reduced to a 64-colour palette, and cached under the figure's hash, so a rebuild with no
change makes none.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from gdnotes.style import write_bytes_atomically

THUMB_WIDTH = 480


def thumbnail(source: Path, cache_dir: Path) -> Path:
    """The cached thumbnail of the image at `source` (made on first use)."""
    from io import BytesIO

    from PIL import Image

    data = source.read_bytes()
    digest = hashlib.sha256(data + str(THUMB_WIDTH).encode()).hexdigest()[:20]
    target = cache_dir / f"{digest}.png"
    if target.is_file():
        return target
    with Image.open(BytesIO(data)) as image:
        image = image.convert("RGB")
        if image.width > THUMB_WIDTH:
            height = round(image.height * THUMB_WIDTH / image.width)
            image = image.resize((THUMB_WIDTH, height), Image.Resampling.LANCZOS)
        small = image.quantize(colors=64, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        out = BytesIO()
        small.save(out, format="PNG", optimize=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_bytes_atomically(target, out.getvalue())
    return target
