"""Markdown <-> rich text for course packages: safe on the way in, and a fixpoint on the way
back, so exporting and re-importing a course changes nothing."""

import json
import random
from pathlib import Path

import pytest
from django.conf import settings

from courses.packages_markdown import (
    canonical_rich_text,
    markdown_to_rich_text,
    rich_text_to_markdown,
)

SHIPPED = Path(settings.BASE_DIR) / "content" / "courses" / "professional-boundaries.json"

TRICKY = [
    "para **b** [l](javascript:alert(1)) ![alt *y*](x.png) <script>alert(1)</script> `co*de`",
    "line one\nline two  \nafter a hard break\\\nand another",
    "# H1\n\n## H2\n\n### H3\n\n#### H4\n\n##### H5\n\n###### H6",
    "- a\n- b\n\n  still b\n- c\n  - nested\n  - more\n\n1. one\n2. two\n\n1) again",
    "**_a_** and ***b*** and *__c__* and *a **b** c* and **a *b* c**",
    "a **b **c and foo**bar**baz and snake_case_name and 5 * 3",
    "\\# not a heading\n\n\\- not a list\n\n1\\. not ordered\n\n\\> not a quote",
    "&amp;copy; &copy; \\&copy; AT&T <b>not bold</b>",
    "[a](https://x.org/a_(b)) <https://e.org/x_y> <me@x.org> [rel](/local) [m](mailto:a@b.org)",
    "> a quote with *emphasis*\n\n```\nfenced <code>\n  indented\n```\n\n    indented code",
    "\\`not code\\` and \\[not a link\\](https://x.org) and [ref]\n\n[ref]: https://ref.org",
    "text ending in a backslash\\",
    "### Heading with trailing # \n\n### C#",
    "2024. Was a year\n\n+ plus item\n\n* * *\n\n---",
    "[**bold link**](https://a.org) and [![an image](x.png)](https://b.org) and [](https://c.org)",
    "non-breaking\u00a0space and émoji 🙂 and “quotes”",
    '<div>raw block</div>\n\n<!-- a comment -->\n\n<a href="https://x.org">raw link</a>',
    "! [not an image](https://x.org) and ![](empty.png)",
    "",
    "   ",
]


def shipped_markdown() -> list[str]:
    """Every Markdown field of the shipped course."""
    doc = json.loads(SHIPPED.read_text(encoding="utf-8"))
    found = []
    for module in doc["modules"]:
        for block in module["body"]:
            found += [block.get(key, "") for key in ("markdown", "situation", "discussion")]
    return [text for text in found if text]


def assert_fixpoint(markdown: str) -> None:
    html = markdown_to_rich_text(markdown)
    exported = rich_text_to_markdown(html)
    assert markdown_to_rich_text(exported) == html
    assert rich_text_to_markdown(markdown_to_rich_text(exported)) == exported


@pytest.mark.parametrize("markdown", TRICKY)
def test_markdown_to_rich_text_to_markdown_is_a_fixpoint(markdown):
    assert_fixpoint(markdown)


def test_the_shipped_course_is_a_fixpoint():
    texts = shipped_markdown()
    assert len(texts) > 40
    for text in texts:
        assert_fixpoint(text)


def test_random_markdown_settles_on_the_first_round_trip():
    pieces = ["a", "b c", " ", "\n", "\n\n", "*", "**", "_", "`", "[", "]", "(https://x.org)",
              "<", ">", "&", "&amp;", "# ", "- ", "1. ", "\\", "!", "    ", "> ", "---", "===",
              "<https://b.org>", "~~~", "\u00a0", "é", "  \n"]  # fmt: skip
    generator = random.Random(20240521)
    for _attempt in range(1500):
        markdown = "".join(generator.choice(pieces) for _n in range(generator.randint(1, 12)))
        assert_fixpoint(markdown)


def test_script_is_stored_as_escaped_text():
    html = markdown_to_rich_text('Hello <script>alert("x")</script> <img src=x onerror=alert(1)>')
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "address",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "vbscript:x", "data:text/html,x", "/local"],
)
def test_unsafe_or_relative_links_are_dropped_and_their_text_kept(address):
    html = markdown_to_rich_text(f"see [the text]({address}) here")
    assert html == "<p>see the text here</p>"


@pytest.mark.parametrize(
    "address", ["https://example.org/a?b=1&c=2", "http://example.org", "mailto:help@example.org"]
)
def test_web_and_mail_links_are_kept(address):
    html = markdown_to_rich_text(f"[go]({address})")
    assert html.startswith('<p><a href="') and ">go</a></p>" in html
    assert rich_text_to_markdown(html).startswith("[go](")


def test_markup_maps_to_the_editor_features():
    html = markdown_to_rich_text(
        "# One\n\n## Two\n\n##### Five\n\n**bold** *italic* `code` ![alt text](x.png)\n\n- item"
    )
    assert html == (
        "<h3>One</h3><h3>Two</h3><h4>Five</h4>"
        "<p><b>bold</b> <i>italic</i> code alt text</p><ul><li>item</li></ul>"
    )


def test_export_uses_atx_headings_dash_bullets_and_asterisks():
    html = "<h3>Title</h3><p><b>bold</b> and <i>it</i></p><ul><li>one</li><li>two</li></ul>"
    assert rich_text_to_markdown(html) == "### Title\n\n**bold** and *it*\n\n- one\n- two"


def test_editor_markup_is_read_by_meaning():
    """Rich text written in the Draftail editor carries block keys and other markup; it reads as
    the same Markdown, and compares equal to the importer's form."""
    html = (
        '<p data-block-key="a1">Hello <strong>there</strong></p>'
        '<ul><li data-block-key="b2">one</li></ul><p data-block-key="c3"></p>'
        '<p><a href="/courses/">catalog</a> <span>plain</span></p>'
    )
    markdown = rich_text_to_markdown(html, base_url="https://alongside.example/")
    assert (
        markdown
        == "Hello **there**\n\n- one\n\n[catalog](https://alongside.example/courses/) plain"
    )
    assert canonical_rich_text(
        html, base_url="https://alongside.example/"
    ) == markdown_to_rich_text(markdown)


def test_hostile_nesting_is_flattened_not_a_crash():
    deep_markdown = "".join("  " * level + "- item\n" for level in range(300)) + "\n" + "> " * 3000
    assert markdown_to_rich_text(deep_markdown).count("<ul>") <= 5
    deep_html = "<ul><li>" * 3000 + "x" + "</li></ul>" * 3000 + "<p>" + "<b><i>" * 3000 + "y"
    markdown = rich_text_to_markdown(deep_html)
    assert markdown_to_rich_text(markdown) == (
        "<ul><li><ul><li><ul><li><ul><li><ul><li>x</li></ul></li></ul></li></ul></li></ul></li></ul>"
        "<p><b>y</b></p>"
    )
