"""Charts for generated documents (core/charts.py) and the PDF renderer's fetcher (core/rendering.py)."""

import shutil
import subprocess

from core import charts, rendering
from core.charts import BAR, LINE, Chart

CHART = Chart(
    kind=LINE, title="持证率走势", categories=["2020年", "2021年"], series=[("持证率", [40.5, None])], unit="%"
)


def test_a_chart_is_drawn_the_same_from_the_same_data():
    assert charts.png(CHART) == charts.png(Chart.from_dict(CHART.as_dict()))
    assert charts.png(CHART).startswith(b"\x89PNG")
    assert charts.svg(CHART) == charts.svg(CHART)
    bar = Chart(kind=BAR, title="示范点", categories=["昆明市"], series=[("2021", [None])])
    assert charts.png(bar).startswith(b"\x89PNG")  # nothing to draw is still a picture, not an error
    assert charts.font_path() is not None  # Debian's Noto Sans CJK: Chinese labels, not empty boxes


def test_the_pdf_embeds_its_own_images_and_fetches_nothing_else(tmp_path):
    png = charts.png(CHART)
    import base64

    inline = "data:image/png;base64," + base64.b64encode(png).decode()
    html = f'<img src="{inline}" style="width:10cm"><img src="http://10.0.0.1/x.png"><img src="file:///etc/passwd">'
    fetcher = rendering._embedded_only()
    from weasyprint import HTML

    pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()  # the refused ones are left out, not fatal
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    command = [shutil.which("pdfimages"), "-list", str(path)]
    listing = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    assert [line.split()[2] for line in listing.splitlines()[2:]] == ["image", "smask"]  # the chart and its alpha
