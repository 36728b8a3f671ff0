"""PDF protocol of a board, rendered by WeasyPrint from the HTML built in `pdf_html`.

The file is archival and accessible: PDF/A-3b (fonts embedded, sRGB output intent, XMP
metadata, document id) and tagged (structure tree from the HTML, `Lang`, a title shown as
the window title), identified as PDF/UA-1 in its XMP metadata. Fonts (`pdf_fonts`) are
embedded as subsets with a Unicode map, so text extraction gets the note texts.
WeasyPrint fetches nothing but the fonts and the embedded diagram.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any
from xml.etree.ElementTree import Element, SubElement, fromstring, register_namespace, tostring

from .build import build_report
from .model import ExportInput
from .pdf_html import build_html

PDF_VARIANT = "pdf/a-3b"
_INTENT = "cocanvas-srgb"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
_EXT = "http://www.aiim.org/pdfa/ns/extension/"
_SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
_PROP = "http://www.aiim.org/pdfa/ns/property#"
for _prefix, _uri in (("pdfaExtension", _EXT), ("pdfaSchema", _SCHEMA), ("pdfaProperty", _PROP)):
    register_namespace(_prefix, _uri)


def _pdfua_extension_schema(rdf: Element) -> None:
    """PDF/A allows only predefined XMP properties unless a schema describes them: this
    one describes `pdfuaid:part` (ISO 19005-3, 6.6.2.3)."""
    description = SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
    bag = SubElement(SubElement(description, f"{{{_EXT}}}schemas"), f"{{{_RDF}}}Bag")
    schema = SubElement(bag, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})
    for name, text in (
        ("schema", "PDF/UA Universal Accessibility Schema"),
        ("namespaceURI", _PDFUAID),
        ("prefix", "pdfuaid"),
    ):
        SubElement(schema, f"{{{_SCHEMA}}}{name}").text = text
    seq = SubElement(SubElement(schema, f"{{{_SCHEMA}}}property"), f"{{{_RDF}}}Seq")
    prop = SubElement(seq, f"{{{_RDF}}}li", {f"{{{_RDF}}}parseType": "Resource"})
    for name, text in (
        ("name", "part"),
        ("valueType", "Integer"),
        ("category", "internal"),
        ("description", "Indicates, which part of ISO 14289 standard is followed"),
    ):
        SubElement(prop, f"{{{_PROP}}}{name}").text = text


def _with_pdfua_id(metadata: Any) -> Any:
    """The document's metadata, whose XMP also says `pdfuaid:part="1"` (PDF/UA-1).

    WeasyPrint writes one conformance claim per variant; PDF/A and PDF/UA both live in
    the same XMP packet, so the PDF/UA one is added to the PDF/A packet here.
    """
    base = type(metadata)

    class _Metadata(base):  # type: ignore[valid-type, misc]
        def generate_rdf_metadata(self, variant: str, version: int, conformance: Any) -> bytes:
            rdf = fromstring(super().generate_rdf_metadata(variant, version, conformance))
            description = SubElement(rdf, f"{{{_RDF}}}Description")
            description.attrib[f"{{{_RDF}}}about"] = ""
            description.attrib[f"{{{_PDFUAID}}}part"] = "1"
            _pdfua_extension_schema(rdf)
            data: bytes = tostring(rdf, encoding="utf-8")
            return data

    copy = _Metadata.__new__(_Metadata)
    copy.__dict__.update(metadata.__dict__)
    return copy


def render_pdf(inp: ExportInput) -> bytes:
    """The board as a printable A4 PDF protocol: PDF/A-3b, tagged, page numbers.

    Args:
        inp: the export input.

    Returns:
        The PDF bytes.
    """
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    report = build_report(inp)
    # Only our font files and the embedded diagram are ever fetched.
    fetcher = URLFetcher(allowed_protocols={"file", "data"})
    # PDF/A needs an output intent; WeasyPrint's own "srgb" leaves its ICC file open
    options = {"pdf_variant": PDF_VARIANT, "pdf_tags": True, "output_intent": _INTENT}
    document = HTML(string=build_html(report), url_fetcher=fetcher).render(
        color_profiles={_INTENT: _srgb_profile()}, **options
    )
    document.metadata = _with_pdfua_id(document.metadata)
    pdf: bytes = document.write_pdf(**options)
    return pdf


def _srgb_profile() -> Any:
    from weasyprint.css import ColorProfile  # type: ignore[import-untyped]

    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
        return ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))
