"""Imported by the example zygote (see `pool.BASE_PRELOAD`): draw and save one throw-away figure
the way examples do, so that every forked example starts with matplotlib's one-off set-up done
(the math-text grammar, fonts found and loaded, the first ticks, legends and PNG/GIF encoders)
instead of paying for it again in each child. Leaves no figure open and no setting changed."""

from __future__ import annotations

import matplotlib
import mpl_toolkits.mplot3d  # noqa: F401 - the 3-D bowl of two_dimensions
import numpy as np


def _warm() -> None:
    import matplotlib.pyplot as plt

    from gdnotes import style

    with matplotlib.rc_context():
        fig, (ax, ax_log) = style.figure(2, 1)
        x = np.linspace(0.0, 1.0, 50)
        ax.plot(x, x**2, label=r"$\eta = 0.1$")
        ax.plot(x, x, "o--", ms=3, label="a line")
        ax.text(0.5, 0.5, "tag", fontweight="bold", bbox=style.LABEL_BOX)
        ax.set(xlabel=r"step $k$", ylabel=r"$f(x_k)$", title="warm-up")
        ax.legend()
        ax_log.semilogy(x, np.exp(-8 * x))
        ax_log.set(xlabel="x", ylabel="loss")
        style.png_bytes(fig)
        fig.set_layout_engine(None)
        style.restyle_dark(fig)
        style.png_bytes(fig)
        style.gif_bytes(fig, lambda i: None, 2)
        plt.close(fig)
        _parse_common_math()


#: Math texts that at least three examples draw (log-axis tick labels, axis labels): parsed once
#: here, so each forked example finds them in the shared parse cache
#: (`style._share_mathtext_parses`) instead of parsing them again (~10 ms each).
COMMON_MATH = [rf"$\mathdefault{{10^{{{k}}}}}$" for k in range(-16, 5)] + [
    r"step $t$", r"$x$", r"$f(x)$", r"learning rate $\eta$", r"momentum $\beta$"]


def _parse_common_math() -> None:
    """Lay out `COMMON_MATH` as tick labels are laid out in a saved figure."""
    import matplotlib.pyplot as plt

    from gdnotes import style

    with matplotlib.rc_context():
        fig, ax = style.figure()
        ax.set_yticks(range(len(COMMON_MATH)), labels=COMMON_MATH)
        fig.set_dpi(style.DPI)
        renderer = fig.canvas.get_renderer()
        for label in ax.get_yticklabels():
            label.get_window_extent(renderer=renderer)
        plt.close(fig)


_warm()
