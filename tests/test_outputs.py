"""The Outputs API: what an example writes is complete, described, reproducible and checked."""

import json

import numpy as np
import pytest
from PIL import Image

import gdnotes as gd
from gdnotes.outputs import parse_shown


def _draw_everything(directory):
    out = gd.Outputs("examples/demo.py", directory=directory)
    fig, ax = gd.figure()
    x = np.linspace(-1, 1, 50)
    ax.plot(x, x**2)
    out.figure(fig, "curve", alt="A parabola on the interval from -1 to 1")
    fig, ax = gd.figure()
    (point,) = ax.plot([0.0], [0.0], "o")
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    out.gif(
        fig,
        lambda i: point.set_data([i / 10], [i / 10]),
        8,
        "moving",
        alt="A dot moving diagonally across the axes",
    )
    out.table("numbers", [[1, 0.5], [2, 0.125]], headers=["step", "x"], floatfmt=".3f")
    out.value("half", 0.5, fmt="{:.2f}")
    with out.capture("printed"):
        print("loss 1.0")
    return out


def test_outputs_are_listed_in_the_manifest(tmp_path):
    _draw_everything(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["example"] == "demo"
    kinds = {name: o["kind"] for name, o in manifest["outputs"].items()}
    assert kinds == {"curve": "figure", "moving": "gif", "numbers": "table", "printed": "text"}
    for o in manifest["outputs"].values():
        assert (tmp_path / o["file"]).is_file()
    assert manifest["outputs"]["moving"]["still"] == "moving.png"
    assert manifest["values"]["half"] == {"text": "0.50", "raw": 0.5}
    assert (tmp_path / "printed.txt").read_text() == "loss 1.0\n"
    assert not list(tmp_path.glob(".*.tmp")), "a temporary file was left behind"


def test_gif_has_every_frame_and_a_still(tmp_path):
    _draw_everything(tmp_path)
    with Image.open(tmp_path / "moving.gif") as gif:
        assert gif.n_frames == 8
    with Image.open(tmp_path / "moving.png") as still:  # with a palette, as every figure
        assert still.size == (540, 340) and still.mode == "P"


def test_same_code_gives_the_same_bytes(tmp_path):
    _draw_everything(tmp_path / "a")
    _draw_everything(tmp_path / "b")
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_table_is_markdown_with_numbers_right_aligned(tmp_path):
    _draw_everything(tmp_path)
    assert (tmp_path / "numbers.md").read_text().splitlines() == [
        "| step | x |",
        "|---:|---:|",
        "| 1 | 0.500 |",
        "| 2 | 0.125 |",
    ]


@pytest.mark.parametrize("alt", ["", "Alt text", "plot", "short"])
def test_figure_without_real_alt_text_is_refused(tmp_path, alt):
    out = gd.Outputs("examples/demo.py", directory=tmp_path)
    fig, _ = gd.figure()
    with pytest.raises(ValueError, match="alt text"):
        out.figure(fig, "curve", alt=alt)


def test_names_are_checked(tmp_path):
    out = gd.Outputs("examples/demo.py", directory=tmp_path)
    out.value("x", 1.0)
    with pytest.raises(ValueError, match="already used"):
        out.value("x", 2.0)
    with pytest.raises(ValueError, match="output name"):
        out.value("Bad Name", 2.0)
    with pytest.raises(ValueError, match="not finite"):
        out.value("nan", float("nan"))
    assert out.value("zero_d", np.array(0.123456), fmt="{:.2f}") == "0.12"  # formatted, not str()
    with pytest.raises(ValueError, match=r"'many' must be one number.*shape \(2,\)"):
        out.value("many", np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="row 0 has 1 cells"):
        out.table("t", [[1]], headers=["a", "b"])


def test_standalone_run_writes_under_the_current_directory(tmp_path, monkeypatch, capsys):
    """Run anywhere (a script from an empty folder, a notebook in Jupyter): outputs go to
    ./gdnotes_outputs/<example>/, and the run says so."""
    monkeypatch.delenv(gd.outputs.OUTPUT_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    out = gd.Outputs("demo")
    assert out.directory == tmp_path / "gdnotes_outputs" / "demo"
    assert (out.directory / "manifest.json").is_file()
    assert str(out.directory) in capsys.readouterr().err


def test_the_example_is_named_not_located(tmp_path):
    assert gd.Outputs(tmp_path / "examples" / "demo.py", directory=tmp_path).example == "demo"
    for bad in ("", "a/b", "../x", None, 3, "two words"):
        with pytest.raises(ValueError, match="example must be the example's name"):
            gd.Outputs(bad, directory=tmp_path)


def test_build_sets_the_directory(tmp_path, monkeypatch):
    monkeypatch.setenv(gd.outputs.OUTPUT_DIR_ENV, str(tmp_path / "given"))
    assert gd.Outputs("examples/demo.py").directory == tmp_path / "given"


def test_contour_samples_the_objective_on_its_grid():
    """gd.contour draws the level sets of the objective itself: every vertex of a drawn level
    lies on that level of the closed-form function (up to the grid's interpolation error)."""
    fig, ax = gd.figure()
    bowl = gd.quadratic([1.0, 4.0])  # f = x^2 / 2 + 2 y^2
    cs = gd.contour(ax, bowl, ((-1, 1), (-1, 1)), n=41, levels=[0.5, 1.0, 2.0])
    assert list(cs.levels) == [0.5, 1.0, 2.0]
    # the 0.5 level set is the ellipse x^2 / 2 + 2 y^2 = 0.5: every drawn vertex is on it
    xy = np.concatenate(cs.allsegs[0])
    np.testing.assert_allclose(xy[:, 0] ** 2 / 2 + 2 * xy[:, 1] ** 2, 0.5, atol=2e-3)
    grey = gd.contour(ax, bowl, ((-1, 1), (-1, 1)), levels=3, colors="#777777")  # no cmap clash
    np.testing.assert_allclose(grey.get_edgecolor()[:, :3], 0x77 / 255)
    with pytest.raises(ValueError, match="2-D objective"):
        gd.contour(ax, gd.quartic())
    fig.clf()


def test_start_and_optimum_markers_are_one_style():
    fig, ax = gd.figure()
    start = gd.mark_start(ax, 1.0, 2.0)
    best = gd.mark_optimum(ax, 3.0, 4.0, label="optimum", ms=20)
    assert (start.get_marker(), start.get_label(), start.get_color()) == ("*", "start", "#000000")
    assert list(start.get_xydata()[0]) == [1.0, 2.0]
    assert (best.get_label(), best.get_markersize(), best.get_color()) == ("optimum", 20, "#E69F00")
    fig.clf()


# -- numbers are written as a reader reads them: one formatter for values, tables and bounds ---
@pytest.mark.parametrize(("value", "fmt", "expected"), [
    (4.4e-9, "{:.1e}", "4.4\u00a0×\u00a010⁻⁹"),
    (1e-8, "{:g}", "10⁻⁸"),
    (-8.3e15, "{:.1e}", "-8.3\u00a0×\u00a010¹⁵"),
    (1.0, "{:.2e}", "1.00"),
    (0.5, "{:.2f}", "0.50"),
    (14460.0, "{:.4g}", "1.446\u00a0×\u00a010⁴"),
])
def test_format_number_writes_powers_of_ten(value, fmt, expected):
    text = gd.format_number(value, fmt)
    assert text == expected
    assert float(parse_shown(text)) == float(fmt.format(value))


def test_values_and_tables_use_the_one_formatter(tmp_path):
    out = gd.Outputs("numbers", directory=tmp_path)
    assert out.value("eps", 1e-8, fmt="{:g}") == "10⁻⁸"
    assert out.value("range", "from 1e-04 to `1e-04` in code") == "from 10⁻⁴ to `1e-04` in code"
    out.table("t", [("a", 3.2e-3)], headers=["name", "x"], floatfmt=["", ".1e"])
    table = (tmp_path / "t.md").read_text()
    assert "3.2\u00a0×\u00a010⁻³" in table and "e-03" not in table
