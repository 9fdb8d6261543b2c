"""Markdown in course packages, and the rich text Wagtail stores for it.

Package files carry CommonMark; pages store Wagtail rich text: HTML limited to the editor's
features (paragraphs, ``<b>``, ``<i>``, ``<h3>``, ``<h4>``, lists, links and line breaks).
Both directions pass through one small tree that is tidied the same way, so exporting a page and
importing the export gives back exactly the HTML that was stored. That keeps the format's two
promises: a round trip changes nothing, and an unchanged file writes nothing.

Safety comes first: the parser has raw HTML switched off, so ``<script>`` arrives as text and is
stored escaped; links survive only with an http, https or mailto address (others keep their
text and lose the link); images become their alt text; code becomes plain text.
"""

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from markdown_it import MarkdownIt
from markdownify import ATX, BACKSLASH, MarkdownConverter, chomp

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

# How many times an import re-reads its own result. One pass is enough for everything the
# tests throw at it; the extra passes only guard against some odd input not settling at once.
_SETTLE_PASSES = 3

_WHITESPACE = re.compile(r"[ \t\n\r\f\v]+")
# Deeper formatting or lists are flattened, so hostile input cannot exhaust the recursion
# limit in the tidying below or in markdownify. The Markdown parser stops at 20 levels itself.
MAX_INLINE_DEPTH = 20
MAX_LIST_DEPTH = 5  # as deep as the editor nests lists

_PARSER = MarkdownIt("commonmark", {"html": False})
# Every link is parsed, so the renderer can drop an unsafe address and keep the link's text
# (markdown-it's own check would leave the whole "[text](javascript:...)" behind as text).
_PARSER.validateLink = lambda url: True


class _Break:
    """A line break inside a paragraph or list item (``<br/>``)."""

    def __repr__(self):
        return "BR"


BR = _Break()


@dataclass
class _Inline:
    """Bold (``b``), italic (``i``) or a link (``a`` with ``href``). ``tag=""`` is a wrapper
    that disappears when tidied, such as a link whose address was refused."""

    tag: str
    children: list = field(default_factory=list)
    href: str = ""


@dataclass
class _Item:
    inline: list = field(default_factory=list)
    lists: list = field(default_factory=list)


@dataclass
class _Block:
    """A paragraph or heading (``inline``), or a list (``items``)."""

    tag: str
    inline: list = field(default_factory=list)
    items: list = field(default_factory=list)


def safe_href(href: str) -> str | None:
    """The link address if it may be stored, else None. Relative addresses are refused too:
    a package is read on other sites, where they would point somewhere else."""
    href = _PARSER.normalizeLink(href.strip())
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https") and parts.netloc:
        return href
    if scheme == "mailto" and parts.path:
        return href
    return None


# Markdown to tree -----------------------------------------------------------------------------


def _plain_text(tokens) -> str:
    """The words of inline tokens without any markup, for image alt text."""
    parts = []
    for token in tokens:
        if token.type in ("text", "code_inline", "html_inline"):
            parts.append(token.content)
        elif token.type == "image":
            parts.append(_plain_text(token.children or []))
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)


def _inline_from_tokens(tokens) -> list:
    out: list = []
    stack = [out]
    for token in tokens:
        kind = token.type
        if kind in ("text", "code_inline", "html_inline"):
            stack[-1].append(token.content)
        elif kind == "softbreak":
            stack[-1].append(" ")
        elif kind == "hardbreak":
            stack[-1].append(BR)
        elif kind == "image":
            stack[-1].append(_plain_text(token.children or []))
        elif kind in ("strong_open", "em_open", "link_open"):
            if kind == "link_open":
                href = safe_href(str(token.attrs.get("href", "")))
                element = _Inline("a", href=href) if href else _Inline("")
            else:
                element = _Inline("b" if kind == "strong_open" else "i")
            stack[-1].append(element)
            stack.append(element.children)
        elif kind in ("strong_close", "em_close", "link_close") and len(stack) > 1:
            stack.pop()
    return out


def _heading_tag(level: int) -> str:
    """The editor offers h3 and h4 only: bigger headings become h3, smaller ones h4."""
    return "h3" if level <= 3 else "h4"


class _TreeBuilder:
    """Collects blocks, list items and the inline content they hold."""

    def __init__(self):
        self.blocks: list[_Block] = []
        self.containers: list = []  # open lists (_Block) and list items (_Item)
        self.target: list | None = None  # where inline content goes now
        self.flattened = 0  # lists opened beyond MAX_LIST_DEPTH and not yet closed

    def start_text_block(self, tag: str) -> None:
        """Start a paragraph or heading; inside a list item, continue the item's line instead."""
        if self.containers and isinstance(self.containers[-1], _Item):
            item = self.containers[-1]
            if item.inline:
                item.inline.append(BR)
            self.target = item.inline
            return
        if self.containers:  # text straight inside a list: give it an item
            self.start_item()
            self.target = self.containers[-1].inline
            return
        block = _Block(tag)
        self.blocks.append(block)
        self.target = block.inline

    def end_text_block(self) -> None:
        self.target = None

    def inline_target(self) -> list:
        if self.target is None:
            self.start_text_block("p")
        return self.target

    def start_list(self, tag: str) -> None:
        if self.flattened or sum(isinstance(c, _Block) for c in self.containers) >= MAX_LIST_DEPTH:
            self.flattened += 1
            return
        block = _Block(tag)
        if self.containers and isinstance(self.containers[-1], _Item):
            self.containers[-1].lists.append(block)
        elif self.containers:
            self.start_item()
            self.containers[-1].lists.append(block)
        else:
            self.blocks.append(block)
        self.containers.append(block)
        self.target = None

    def start_item(self) -> None:
        if self.flattened:  # an item of a too-deep list continues the current line
            self.start_text_block("p")
            return
        if not self.containers or not isinstance(self.containers[-1], _Block):
            self.start_list("ul")
        item = _Item()
        self.containers[-1].items.append(item)
        self.containers.append(item)
        self.target = None

    def end_container(self, kind: type) -> None:
        """Close the innermost open list or item of ``kind`` (and anything left open in it)."""
        if self.flattened:
            self.flattened -= kind is _Block
            return
        while self.containers:
            if isinstance(self.containers.pop(), kind):
                break
        self.target = None


def _tree_from_markdown(text: str) -> list[_Block]:
    builder = _TreeBuilder()
    for token in _PARSER.parse(text):
        kind = token.type
        if kind in ("paragraph_open", "heading_open"):
            level = int(token.tag[1]) if kind == "heading_open" else 0
            builder.start_text_block(_heading_tag(level) if level else "p")
        elif kind in ("paragraph_close", "heading_close"):
            builder.end_text_block()
        elif kind == "inline":
            builder.inline_target().extend(_inline_from_tokens(token.children or []))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            builder.start_list("ul" if kind == "bullet_list_open" else "ol")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            builder.end_container(_Block)
        elif kind == "list_item_open":
            builder.start_item()
        elif kind == "list_item_close":
            builder.end_container(_Item)
        elif kind in ("code_block", "fence", "html_block"):
            # Code is shown as plain text, one line per line.
            builder.start_text_block("p")
            lines = token.content.rstrip("\n").split("\n")
            target = builder.inline_target()
            for number, line in enumerate(lines):
                target.extend([BR, line] if number else [line])
            builder.end_text_block()
    return builder.blocks


# Rich text (HTML) to tree ---------------------------------------------------------------------


class _RichTextParser(HTMLParser):
    """Reads stored rich text (ours, or what the Draftail editor wrote) into the same tree.
    Unknown tags are unwrapped; script and style content is dropped."""

    SKIP = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
    INLINE = {"b": "b", "strong": "b", "i": "i", "em": "i", "a": "a"}

    def __init__(self, base_url: str):
        super().__init__(convert_charrefs=True)
        self.base_url = base_url
        self.tree = _TreeBuilder()
        self.open_inline: list[tuple[str, _Inline]] = []
        self.skipping = 0

    def _target(self) -> list:
        if self.open_inline:
            return self.open_inline[-1][1].children
        return self.tree.inline_target()

    def _reset_inline(self) -> None:
        self.open_inline = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1
        if self.skipping:
            return
        attributes = dict(attrs)
        if tag in ("p", "div") or re.fullmatch(r"h[1-6]", tag):
            self._reset_inline()
            level = int(tag[1]) if tag[0] == "h" and tag[1:].isdigit() else 0
            self.tree.start_text_block(_heading_tag(level) if level else "p")
        elif tag in ("ul", "ol"):
            self._reset_inline()
            self.tree.start_list(tag)
        elif tag == "li":
            self._reset_inline()
            self.tree.start_item()
        elif tag == "br":
            self._target().append(BR)
        elif tag == "img":
            self._target().append(attributes.get("alt") or "")
        elif tag in self.INLINE and len(self.open_inline) >= MAX_INLINE_DEPTH:
            self.open_inline.append((tag, self.open_inline[-1][1]))  # too deep: no new element
        elif tag in self.INLINE:
            kind = self.INLINE[tag]
            if kind == "a":
                href = attributes.get("href") or ""
                href = safe_href(urljoin(self.base_url, href) if self.base_url else href)
                element = _Inline("a", href=href) if href else _Inline("")
            else:
                element = _Inline(kind)
            self._target().append(element)
            self.open_inline.append((tag, element))

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag in ("p", "div") or re.fullmatch(r"h[1-6]", tag):
            self._reset_inline()
            self.tree.end_text_block()
        elif tag in ("ul", "ol"):
            self._reset_inline()
            self.tree.end_container(_Block)
        elif tag == "li":
            self._reset_inline()
            self.tree.end_container(_Item)
        elif tag in self.INLINE:
            for index in range(len(self.open_inline) - 1, -1, -1):
                if self.open_inline[index][0] == tag:
                    del self.open_inline[index:]
                    break

    def handle_data(self, data):
        if self.skipping or (
            not data.strip() and not self.open_inline and self.tree.target is None
        ):
            return
        self._target().append(data)


def _tree_from_html(rich_text: str, base_url: str = "") -> list[_Block]:
    parser = _RichTextParser(base_url)
    parser.feed(rich_text)
    parser.close()
    return parser.tree.blocks


# Tidying: one normal form for both directions -------------------------------------------------


def _has_text(nodes: list) -> bool:
    for node in nodes:
        if isinstance(node, str) and node.strip():
            return True
        if isinstance(node, _Inline) and _has_text(node.children):
            return True
    return False


def _is_gap(node) -> bool:
    return node is BR or (isinstance(node, str) and not node.strip())


def _flatten_same(children: list, element: _Inline) -> list:
    """Bold inside bold (or a link inside a link) says nothing more: keep the inner text."""
    out = []
    for child in children:
        if isinstance(child, _Inline) and child.tag == element.tag:
            out.extend(_flatten_same(child.children, element))
        else:
            out.append(child)
    return out


def _merge(nodes: list) -> list:
    """Join neighbouring text and neighbouring elements of the same kind; collapse spaces."""
    out: list = []
    for node in nodes:
        previous = out[-1] if out else None
        if isinstance(node, str):
            if not node:
                continue
            if isinstance(previous, str):
                out[-1] = _WHITESPACE.sub(" ", previous + node)
                continue
        elif (
            isinstance(node, _Inline)
            and isinstance(previous, _Inline)
            and (previous.tag, previous.href) == (node.tag, node.href)
        ):
            out[-1] = _Inline(node.tag, _tidy_inline(previous.children + node.children), node.href)
            continue
        out.append(node)
    return out


def _tidy_inline(nodes: list) -> list:
    """Collapse whitespace, drop empty formatting, move spaces and breaks out of formatting
    (``<b>a </b>`` becomes ``<b>a</b> ``) and put italic outside bold when one wraps the other,
    which is how Markdown reads ``***a***`` back."""
    flat: list = []
    for node in nodes:
        if isinstance(node, str):
            flat.append(_WHITESPACE.sub(" ", node))
        elif node is BR:
            flat.append(BR)
        elif isinstance(node, _Inline):
            children = _tidy_inline(_flatten_same(node.children, node))
            if not node.tag or not _has_text(children):
                flat.extend(children if not node.tag else [c for c in children if _is_gap(c)])
                continue
            before, after = [], []
            while (
                children
                and _is_gap(children[0])
                or (children and isinstance(children[0], str) and children[0].startswith(" "))
            ):
                first = children[0]
                if isinstance(first, str) and first.strip():
                    before.append(" ")
                    children[0] = first.lstrip(" ")
                else:
                    before.append(children.pop(0))
            while children and (
                _is_gap(children[-1])
                or (isinstance(children[-1], str) and children[-1].endswith(" "))
            ):
                last = children[-1]
                if isinstance(last, str) and last.strip():
                    after.insert(0, " ")
                    children[-1] = last.rstrip(" ")
                else:
                    after.insert(0, children.pop())
            if node.tag == "b" and len(children) == 1 and getattr(children[0], "tag", "") == "i":
                inner = children[0]
                element = _Inline("i", [_Inline("b", inner.children)])
            else:
                element = _Inline(node.tag, children, node.href)
            flat.extend([*before, element, *after])
    return _merge(flat)


def _tidy_line(nodes: list, *, heading: bool = False) -> list:
    """Tidy one paragraph, heading or list item line: no spaces at its ends or around breaks,
    no breaks at its ends (Markdown cannot write them), none at all in headings."""
    nodes = _tidy_inline([" " if heading and node is BR else node for node in nodes])
    out: list = []
    for node in nodes:
        if node is BR:
            if out and isinstance(out[-1], str):
                out[-1] = out[-1].rstrip()
                if not out[-1]:
                    out.pop()
            if out:
                out.append(BR)
        elif isinstance(node, str):
            if not out or out[-1] is BR:
                node = node.lstrip()
            if node:
                out.append(node)
        else:
            out.append(node)
    while out and _is_gap(out[-1]):
        out.pop()
    if out and isinstance(out[-1], str):
        out[-1] = out[-1].rstrip()
    return _merge(out)


def _tidy_blocks(blocks: list[_Block]) -> list[_Block]:
    out: list[_Block] = []
    for block in blocks:
        if block.tag in ("ul", "ol"):
            items = []
            for item in block.items:
                tidy = _Item(_tidy_line(item.inline), _tidy_blocks(item.lists))
                if _has_text(tidy.inline) or tidy.lists:
                    items.append(tidy)
            if not items:
                continue
            if out and out[-1].tag == block.tag:  # Markdown reads two such lists as one
                out[-1].items.extend(items)
                continue
            out.append(_Block(block.tag, items=items))
        else:
            inline = _tidy_line(block.inline, heading=block.tag != "p")
            if _has_text(inline):
                out.append(_Block(block.tag, inline=inline))
    return out


def _inline_html(nodes: list) -> str:
    parts = []
    for node in nodes:
        if node is BR:
            parts.append("<br/>")
        elif isinstance(node, _Inline):
            inner = _inline_html(node.children)
            if node.tag == "a":
                parts.append(f'<a href="{html.escape(node.href)}">{inner}</a>')
            else:
                parts.append(f"<{node.tag}>{inner}</{node.tag}>")
        else:
            parts.append(html.escape(node, quote=False))
    return "".join(parts)


def _blocks_html(blocks: list[_Block]) -> str:
    parts = []
    for block in blocks:
        if block.tag in ("ul", "ol"):
            items = "".join(
                f"<li>{_inline_html(item.inline)}{_blocks_html(item.lists)}</li>"
                for item in block.items
            )
            parts.append(f"<{block.tag}>{items}</{block.tag}>")
        else:
            parts.append(f"<{block.tag}>{_inline_html(block.inline)}</{block.tag}>")
    return "".join(parts)


# Public conversions ---------------------------------------------------------------------------


def _render(markdown: str) -> str:
    return _blocks_html(_tidy_blocks(_tree_from_markdown(markdown)))


def markdown_to_rich_text(markdown: str) -> str:
    """Wagtail rich text for a package's Markdown, in the form export reads back unchanged."""
    result = _render(markdown)
    for _pass in range(_SETTLE_PASSES):
        again = _render(rich_text_to_markdown(result))
        if again == result:
            break
        result = again
    return result


def canonical_rich_text(rich_text: str, *, base_url: str = "") -> str:
    """Stored rich text (perhaps written in the editor) in the importer's normal form, so a
    page edited by hand can be compared with an incoming file by meaning, not by markup."""
    return markdown_to_rich_text(rich_text_to_markdown(rich_text, base_url=base_url))


_LINE_START = re.compile(r"^(\s*)([#>+=~-])")
_LIST_NUMBER = re.compile(r"^(\s*\d{1,9})([.)])")
_HEADING_CLOSER = re.compile(r"(\s)(#+)(?=\s|$)")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_PUNCTUATION_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


class _PackageMarkdown(MarkdownConverter):
    """markdownify, escaping exactly what CommonMark would otherwise read as markup."""

    def escape(self, text, parent_tags):
        if not text:
            return ""
        text = text.replace("\\", "\\\\")
        text = re.sub(r"([*_`\[\]])", r"\\\1", text)
        text = _ENTITY.sub(r"\\&", text)
        text = re.sub(r"<(?=\S)", r"\\<", text)
        # What starts a line could start a heading, quote, list or code fence. A text piece may
        # start a line (after a break or at the start of a paragraph), so escape it there.
        text = _LINE_START.sub(r"\1\\\2", text)
        text = _LIST_NUMBER.sub(r"\1\\\2", text)
        text = re.sub(r"!$", r"\\!", text)  # "!" right before a link would make it an image
        return _HEADING_CLOSER.sub(r"\1\\\2", text)

    def convert_a(self, el, text, parent_tags):
        prefix, suffix, text = chomp(text)
        href = el.get("href") or ""
        if not text:
            return ""
        if not href:
            return text
        plain = _PUNCTUATION_ESCAPE.sub(r"\1", text)
        if href in (plain, f"mailto:{plain}") and re.fullmatch(r"[^\s<>\\]+", plain):
            return f"{prefix}<{plain}>{suffix}"
        destination = href if re.fullmatch(r"[^\s()<>]*", href) else f"<{href}>"
        return f"{prefix}[{text}]({destination}){suffix}"


_CONVERTER = _PackageMarkdown(
    heading_style=ATX,
    bullets="-",
    strong_em_symbol="*",
    newline_style=BACKSLASH,
    escape_asterisks=False,
    escape_underscores=False,
    escape_misc=False,
)


def rich_text_to_markdown(rich_text: str, *, base_url: str = "") -> str:
    """CommonMark for stored rich text. ``base_url`` makes site-relative links absolute, so
    links to this site's pages still work when the package is read elsewhere."""
    canonical = _blocks_html(_tidy_blocks(_tree_from_html(rich_text or "", base_url)))
    return _CONVERTER.convert(canonical).strip("\n")
