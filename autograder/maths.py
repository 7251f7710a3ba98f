"""TeX to MathML on the grader's side, so feedback pages show typeset maths with no script and no network.

Browsers lay MathML out themselves (Chromium, Firefox, Safari), so a page needs neither a
JavaScript renderer nor web fonts: it works opened from disk, under a Content-Security-Policy
that forbids every script, and after an HTML sanitiser. The TeX may come from a student's
notebook (the nbgrader feedback renders its markdown maths), so the MathML is rebuilt from an
allow-list of MathML elements and attributes with every text escaped: TeX such as
`\\text{<script>}` comes out as text, never as markup.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

from latex2mathml.converter import convert_to_element

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

# MathML Core's presentation elements; anything else (and every attribute not listed) is dropped.
ELEMENTS = frozenset("""math mrow mi mo mn ms mtext mspace mfrac msqrt mroot mstyle merror mpadded mphantom
    msub msup msubsup munder mover munderover mmultiscripts mprescripts none mtable mtr mtd menclose
    semantics annotation""".split())
ATTRIBUTES = frozenset("""display mathvariant displaystyle scriptlevel stretchy symmetric largeop movablelimits
    accent accentunder fence separator form lspace rspace minsize maxsize width height depth linethickness
    columnalign rowalign columnspacing rowspacing columnlines rowlines frame notation align""".split())
_SAFE_VALUE = re.compile(r"[\w .%+#-]*\Z")


def mathml(tex: str, display: bool = False) -> str:
    """`tex` as one <math> element; the TeX itself, escaped in <code>, if it cannot be converted."""
    # latex2mathml lays out align* but not the aligned environment, which is the same table.
    tex = re.sub(r"\\(begin|end)\{aligned\}", r"\\\1{align*}", tex)
    try:
        root = convert_to_element(tex, display="block" if display else "inline")
    except Exception:  # latex2mathml raises many kinds of error on TeX it does not know
        return f'<code class="tex">{html.escape(tex)}</code>'
    return _serialise(root, top=True)


def _serialise(element: ET.Element, top: bool = False) -> str:
    tag = element.tag.rsplit("}", 1)[-1]
    text = _text(element.text)
    inner = text + "".join(_serialise(child) + _text(child.tail) for child in element)
    if tag not in ELEMENTS:
        return inner
    attrs = [f'{name}="{html.escape(value)}"' for name, value in sorted(element.attrib.items())
             if name in ATTRIBUTES and _SAFE_VALUE.match(value)]
    if top:
        attrs.insert(0, f'xmlns="{MATHML_NS}"')
    opening = " ".join([tag] + attrs)
    return f"<{opening}>{inner}</{tag}>"


def _text(value: str | None) -> str:
    # latex2mathml leaves character references (&#x02299;) and the TeX's own text unescaped.
    # and keeps \text{h\_netIn}'s escaped underscore as two characters.
    return html.escape(html.unescape(value or "").replace("\\_", "_"), quote=False)


_MATH_SPAN = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\$)", re.S)


def text_with_maths(text: str) -> str:
    """Plain text (escaped) with its $...$ and $$...$$ spans as MathML."""
    out, at = [], 0
    for m in _MATH_SPAN.finditer(text):
        out.append(html.escape(text[at:m.start()]))
        out.append(mathml(m.group(1), display=True) if m.group(1) is not None else mathml(m.group(2)))
        at = m.end()
    out.append(html.escape(text[at:]))
    return "".join(out)
