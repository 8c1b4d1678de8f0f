"""SVG charts are well-formed XML with one shape per value."""

from xml.etree import ElementTree

from atelier.eval.bench.svg_charts import bar_chart, radar_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_radar_chart_draws_one_outline_per_series():
    svg = radar_chart(["identity", "garment", "background", "physics"], {"single": [9, 8, 10, 7], "multi": [1, None, 5, 10]}, "t & t")
    root = ElementTree.fromstring(svg)
    polygons = root.findall(f".//{SVG}polygon")
    assert len(polygons) == 4 + 2  # four grid rings, two series
    assert "t &amp; t" in svg


def test_bar_chart_bar_lengths_follow_the_scale():
    root = ElementTree.fromstring(bar_chart({"top": 10.0, "hat": 1.0, "bag": None}, "garment"))
    widths = [float(rect.get("width")) for rect in root.findall(f"{SVG}rect")]
    assert widths[0] > 0 and widths[1] == 0 and widths[2] == 0
