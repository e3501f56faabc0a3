"""Readable text from HTML, plain text and PDF, and clean failures on hostile input."""

from __future__ import annotations

import io
import zlib

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.web import extract as extract_module
from factcheck.web.extract import ExtractionFailed, extract

ARTICLE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Council budget rises | The Ledger</title>
<style>p { color: red }</style><script>var tracking = "do not keep me";</script></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li></ul></nav>
<article>
<h1>Council budget rises</h1>
<p>The council said on Tuesday that its budget would rise to £4.2m next year, up from £3.9m in
the current year.</p>
<p>Councillor Jane Smith said: “This is the largest increase in a decade.”<br>Residents were not
convinced.</p>
<ul><li>Roads: 1,200 km resurfaced</li><li>Libraries: two reopened</li></ul>
<p>Spending on social care will grow by 20 per cent, the budget papers show.</p>
</article>
<footer><p>© 2025 The Ledger. All rights reserved. Cookie settings.</p></footer>
</body></html>"""


def test_html_keeps_the_main_text_in_paragraphs():
    result = extract(ARTICLE.encode(), "text/html", url="https://ledger.example/budget")
    assert result.title == "Council budget rises"
    assert result.text == (
        "Council budget rises\n\n"
        "The council said on Tuesday that its budget would rise to £4.2m next year, up from £3.9m in "
        "the current year.\n\n"
        "Councillor Jane Smith said: “This is the largest increase in a decade.”\n"
        "Residents were not convinced.\n\n"
        "- Roads: 1,200 km resurfaced\n- Libraries: two reopened\n\n"
        "Spending on social care will grow by 20 per cent, the budget papers show."
    )
    for boilerplate in ("Home", "Sport", "All rights reserved", "tracking", "color: red"):
        assert boilerplate not in result.text
    assert not result.truncated


def test_html_charset_comes_from_the_header_then_the_meta_tag_then_utf8_then_windows_1252():
    page = "<html><head>{meta}</head><body><p>Café prices rose by 5% — a record, said the owner.</p></body>"
    expected = "Café prices rose by 5% — a record, said the owner."
    plain = page.format(meta="")
    declared = page.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">')
    assert extract(plain.encode("cp1252"), "text/html", charset="windows-1252").text == expected
    assert (
        extract(plain.encode("cp1252"), "text/html", charset="iso-8859-1").text == expected
    )  # as browsers do
    assert extract(declared.encode("cp1252"), "text/html").text == expected
    assert extract(plain.encode("utf-8"), "text/html").text == expected
    assert extract(plain.encode("cp1252"), "text/html").text == expected  # not UTF-8: Windows-1252
    assert extract(b"\xef\xbb\xbf" + plain.encode("utf-8"), "text/html", charset="latin-1").text == expected
    assert extract(plain.encode("utf-16"), "text/html").text == expected  # the BOM says UTF-16
    assert extract(plain.encode("utf-8"), "text/html", charset="no-such-charset").text == expected


def test_xhtml_with_an_xml_declaration_is_read():
    page = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        "<title>Report</title></head><body><p>Unemployment fell to 4.1 per cent in March.</p></body></html>"
    )
    result = extract(page.encode(), "application/xhtml+xml")
    assert result.text == "Unemployment fell to 4.1 per cent in March."
    assert result.title == "Report"


def test_when_trafilatura_finds_nothing_the_body_text_is_used():
    # trafilatura drops <aside> as boilerplate, which leaves it nothing here.
    page = (
        "<html><head><title>Related</title><script>x = 1</script></head><body><aside><h2>Related</h2>"
        "<p>The budget figure of 4.2m is wrong.</p><p>Second<br>paragraph.</p></aside></body></html>"
    )
    result = extract(page.encode(), "text/html")
    assert result.title == "Related"
    assert result.text == "Related\n\nThe budget figure of 4.2m is wrong.\n\nSecond\nparagraph."


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"<html><head><title>App</title></head><body><div id='root'></div><script>go()</script></body>",
        b"<html><body><img src='chart.png'></body></html>",
        b"\x00\x01\x02\x03",
    ],
)
def test_a_page_without_readable_text_fails_with_a_reason(page):
    with pytest.raises(ExtractionFailed) as failed:
        extract(page, "text/html")
    assert "no readable text" in failed.value.reason


def test_plain_text_is_decoded_and_tidied():
    text = "Budget report 2025\r\n\r\n\r\n\r\nThe council\u2019s budget rises.   \r\nIt was approved.\x00\n"
    result = extract(text.encode(), "text/plain")
    assert result.title == "Budget report 2025"
    assert result.text == "Budget report 2025\n\nThe council\u2019s budget rises.\nIt was approved."
    assert extract("Caf\xe9 prices".encode("cp1252"), "text/plain").text == "Café prices"
    assert extract("Caf\xe9 prices".encode(), "text/plain", charset="utf-8").text == "Café prices"
    long_first_line = "word " * 100
    assert extract(long_first_line.encode(), "text/plain").title == ""


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(
    pages: list[str], *, title: str | None = None, compressed: dict[int, bytes] | None = None
) -> bytes:
    """A minimal PDF, written by hand: one Helvetica text line per line of each page.  ``compressed``
    replaces the content of some pages with FlateDecode streams."""
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    kids = []
    number = 3
    for index, text in enumerate(pages):
        page, content = number + 1, number + 2
        number += 2
        kids.append(page)
        objects[page] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
        if compressed and index in compressed:
            data = compressed[index]
            objects[content] = b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (
                len(data),
                data,
            )
        else:
            operators = " ".join(f"({_escape(line)}) Tj T*" for line in text.split("\n"))
            data = f"BT /F1 12 Tf 14 TL 72 720 Td {operators} ET".encode("cp1252")
            objects[content] = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(data), data)
    objects[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    info = b""
    if title is not None:
        number += 1
        objects[number] = b"<< /Title (%s) >>" % _escape(title).encode("cp1252")
        info = b" /Info %d 0 R" % number
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for key in sorted(objects):
        offsets[key] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (key, objects[key])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (number + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[key] for key in range(1, number + 1))
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (number + 1, info, xref)
    return bytes(out)


def test_pdf_text_is_read_page_by_page_with_its_title():
    pdf = make_pdf(
        ["Annual budget (2025)", "The council budget will rise to 4.2m.\nRoads get 1,200 km."],
        title="Budget report",
    )
    result = extract(pdf, "application/pdf")
    assert result.title == "Budget report"
    assert result.text == "Annual budget (2025)\n\nThe council budget will rise to 4.2m.\nRoads get 1,200 km."
    assert not result.truncated


def test_pdf_pages_past_the_cap_are_not_read(monkeypatch):
    monkeypatch.setattr(extract_module, "MAX_PDF_PAGES", 2)
    result = extract(make_pdf(["one", "two", "three"]), "application/pdf")
    assert result.text == "one\n\ntwo"
    assert result.truncated


def test_a_pdf_without_text_fails():
    with pytest.raises(ExtractionFailed) as failed:
        extract(make_pdf(["", ""]), "application/pdf")
    assert failed.value.reason == "The PDF has no text layer (it may be scanned images)."


def test_a_password_protected_pdf_fails():
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(make_pdf(["secret"]))))
    writer.encrypt(user_password="pw", owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(ExtractionFailed) as failed:
        extract(buffer.getvalue(), "application/pdf")
    assert failed.value.reason == "The PDF is protected by a password."


def test_a_compression_bomb_in_a_pdf_fails_cleanly():
    bomb = zlib.compress(b"BT /F1 12 Tf (x) Tj ET" + b" " * 90_000_000, 1)
    assert len(bomb) < 1_000_000
    with pytest.raises(ExtractionFailed) as failed:
        extract(make_pdf(["ignored"], compressed={0: bomb}), "application/pdf")
    assert failed.value.reason.startswith("The PDF could not be read (")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"%PDF-1.4\n",
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>",
        b"<html>",
    ],
)
def test_a_broken_pdf_fails_cleanly(body):
    with pytest.raises(ExtractionFailed) as failed:
        extract(body, "application/pdf")
    assert failed.value.reason.startswith("The PDF")


def test_other_types_and_oversized_input_are_refused(monkeypatch):
    with pytest.raises(ExtractionFailed) as failed:
        extract(b"\x89PNG", "image/png")
    assert failed.value.reason == "Factdesk cannot read documents of type image/png."
    monkeypatch.setattr(extract_module, "MAX_INPUT_BYTES", 10)
    with pytest.raises(ExtractionFailed):
        extract(b"<p>" + b"x" * 20 + b"</p>", "text/html")


def test_text_past_the_cap_is_cut_at_a_paragraph(monkeypatch):
    monkeypatch.setattr(extract_module, "MAX_TEXT_CHARS", 30)
    result = extract(b"First paragraph here.\n\nSecond paragraph is longer.", "text/plain")
    assert result.text == "First paragraph here."
    assert result.truncated


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.sampled_from(["text/html", "text/plain", "application/pdf"]))
def test_any_bytes_give_text_or_a_reason(body, content_type):
    try:
        result = extract(body, content_type)
    except ExtractionFailed as failed:
        assert failed.reason
    else:
        assert result.text.strip()
        assert "\r" not in result.text and "\x00" not in result.text
