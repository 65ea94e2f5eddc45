"""Reads an HTML report back and lists every hardware figure shown without its source.

Every table header, every row label and every plot text (axis titles, subplot titles, trace
names, hover texts) that names a hardware figure (LUT, FF, DSP, BRAM, CARRY, latency, II) must
name where it comes from (the surrogate, da4ml, Yosys, a vendor tool, the BOPs count, or "none
by construction"), and da4ml's estimate is never called exact.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

FIGURE = re.compile(r"\b(LUTs?|FFs?|DSPs?|BRAM|CARRY|latency|II)\b", re.IGNORECASE)
SOURCE = re.compile(r"surrogate|da4ml|yosys|vendor|vivado|vitis|BOPs|none by construction", re.IGNORECASE)
# "exact" alone would claim more than da4ml's pre-placement estimate; "bit-exact" is about outputs.
EXACT = re.compile(r"(?<!bit-)\bexact\b", re.IGNORECASE)


class Tables(HTMLParser):
    """The tables of a page (header and rows of cell texts) and its visible text outside scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style"):
            self._in_script = True
        elif tag == "table":
            self.tables.append({"header": [], "rows": []})
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in_script = False
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append(("th:" if tag == "th" else "") + "".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row and all(cell.startswith("th:") for cell in self._row):
                self.tables[-1]["header"] = [cell[3:] for cell in self._row]
            else:
                self.tables[-1]["rows"].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_script:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def plots(page: str) -> list[tuple[list, dict]]:
    """The data and layout of every plotly figure embedded in the page."""
    decoder, plots = json.JSONDecoder(), []
    for match in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", page):
        data, end = decoder.raw_decode(page, match.end())
        layout, _ = decoder.raw_decode(page, page.index("{", end))
        plots.append((data, layout))
    return plots


def plot_texts(data: list, layout: dict) -> list[str]:
    """Every text of a figure a reader sees: titles, axis titles, annotations, trace names and hover texts."""
    texts = [layout.get("title", {}).get("text", "")]
    texts += [axis.get("title", {}).get("text", "") for key, axis in layout.items() if re.fullmatch(r"[xy]axis\d*", key)]
    texts += [annotation.get("text", "") for annotation in layout.get("annotations", [])]
    for trace in data:
        texts.append(trace.get("name", ""))
        hover = trace.get("text")
        texts += hover if isinstance(hover, list) else [hover or ""]
        texts.append(trace.get("hovertemplate", ""))
    return [text for text in texts if text]


def unsourced(page: str) -> list[str]:
    """Every place of an HTML page that shows a hardware figure without naming its source."""
    parser = Tables()
    parser.feed(page)
    problems = [f"header {name!r}" for table in parser.tables for name in table["header"] if FIGURE.search(name) and not SOURCE.search(name)]
    for table in parser.tables:
        for row in table["rows"]:
            label, cells = row[0], row[1:]
            if not FIGURE.search(label) or SOURCE.search(label):
                continue
            # A row named after a figure: each value's column (or the value itself) names the source.
            headers = table["header"][1:]
            for header, cell in zip(headers, cells, strict=True):
                if cell not in ("–", "") and not SOURCE.search(header) and not SOURCE.search(cell):
                    problems.append(f"row {label!r}, column {header!r}: {cell!r}")
    for data, layout in plots(page):
        problems += [f"plot text {text!r}" for text in plot_texts(data, layout) if FIGURE.search(text) and not SOURCE.search(text)]
    visible = html.unescape(" ".join(parser.text))
    problems += [f"'exact' in {visible[max(0, m.start() - 40):m.end() + 40]!r}" for m in EXACT.finditer(visible)]
    problems += [f"'exact' in plot text {text!r}" for data, layout in plots(page) for text in plot_texts(data, layout) if EXACT.search(text)]
    return problems
