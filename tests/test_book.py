import matplotlib
import pytest

matplotlib.use("Agg")


def test_import_has_no_side_effects_and_presets_differ():
    import importlib

    import dec.book as plotting

    before = dict(matplotlib.rcParams)
    importlib.reload(plotting)  # runs the module's top level again
    assert dict(matplotlib.rcParams) == before
    with matplotlib.rc_context():
        plotting.use_style("book")
        book = matplotlib.rcParams["font.size"]
        plotting.use_style("instructor")  # slides: larger type
        assert matplotlib.rcParams["font.size"] > book
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"] == plotting.PALETTE
    with pytest.raises(ValueError, match="unknown style preset 'slides'"):
        plotting.use_style("slides")


def test_class_cmap_is_the_colour_blind_set():
    from dec.book import class_cmap

    assert len(set(class_cmap(10).colors)) == 10
    with pytest.raises(ValueError, match="10 distinguishable colours, 12 requested"):
        class_cmap(12)


def test_save_figure_writes_png_and_svg(tmp_path):
    import matplotlib.pyplot as plt

    from dec.book import save_figure

    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    paths = save_figure(fig, "figure9", tmp_path / "figs")
    plt.close(fig)
    assert [p.name for p in paths] == ["figure9.png", "figure9.svg"]
    assert paths[0].read_bytes()[:4] == b"\x89PNG" and b"<svg" in paths[1].read_bytes()[:400]
