"""Keeping user-supplied text inert in every output format.

Workload names, segment names, descriptions, overlay entry names and sources, and ids echoed back in
messages come from files other people wrote. Every renderer passes them through one of the functions
below before they reach a terminal, a Markdown document or a stream, so that no such text can style,
link, move the cursor, retitle a window, reorder a line, add a heading or a code block, or crash a
renderer:

- :func:`terminal_safe`: control, format and bidi characters shown as visible escapes (``\\x1b``, ``\\u202e``);
- :func:`terminal_text`: the same as a rich :class:`~rich.text.Text`, which rich never parses as markup;
- :func:`rich_markup_safe`: the same escaped for rich markup, where a markup string cannot be avoided;
- :func:`markdown_inline`: Markdown inline text that renders as exactly the characters given, never as markup;
- :func:`markdown_code`: a Markdown code span of any text;
- :func:`mermaid_label`: a label that can sit between double quotes in a mermaid chart;
- :func:`shorten`: long text cut to a length, the cut marked with '…' and the full length;
- :func:`stream_safe` / :func:`write_stdout` / :func:`safe_stdout`: text a stream that cannot encode every
  character (``PYTHONIOENCODING=ascii``, a latin-1 locale) still takes, JSON still valid JSON.

:class:`MarkdownSafe` marks text that is already Markdown; the Markdown report's template escapes every
other value it prints (see ``llmdecide/report/markdown.py``).
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from typing import IO, Literal, TextIO, cast

from rich.markup import escape as _rich_escape
from rich.text import Text

from llmdecide.limits import shorten

StreamKind = Literal["text", "markdown", "html", "json"]
"""What a stream is given: plain text, Markdown, HTML, or JSON (see :func:`stream_safe`)."""

NAME_LIMIT = 80
"""Characters of a name or an id a terminal line shows (:func:`shorten`)."""
TEXT_LIMIT = 4000
"""Characters of a sentence or a table cell a terminal shows (a catalog note runs to about 2,000)."""
MESSAGE_LIMIT = 400
"""Characters of an error or warning message printed on one line (:func:`safe_message`)."""

_UNSAFE_ABOVE_C0 = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b\u200e-\u200f"
    "\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
UNSAFE = re.compile(f"[\x00-\x1f{_UNSAFE_ABOVE_C0}]")
"""Every character :func:`terminal_safe` shows as an escape: the C0 and C1 controls and DEL (category Cc),
the format characters (Cf: bidi embeddings, overrides and isolates U+202A-U+202E and U+2066-U+2069, marks
U+200E/U+200F/U+061C, zero-width space, BOM, soft hyphen, invisible operators, tag characters), the line and
paragraph separators (Zl, Zp) and lone surrogates (Cs). Zero-width joiner and non-joiner (U+200C, U+200D) stay:
scripts and emoji need them, and they can neither move the cursor nor reorder text."""

_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _visible(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def terminal_safe(text: str) -> str:
    """``text`` with every character of :data:`UNSAFE` replaced by a visible escape: newline, carriage return and
    tab as ``\\n``, ``\\r``, ``\\t``, other characters below U+0100 as ``\\x1b``, the rest as ``\\u202e`` (or
    ``\\U000e0041``).

    Guarantees: the result holds no control character (so no ESC, CSI, OSC 8 hyperlink, window title, clear
    screen, bell or NUL), no bidi override or isolate, no invisible format character, no line break and no lone
    surrogate; every other character is kept as it is. Text without such characters comes back unchanged. It does
    *not* escape rich markup: print the result as a :class:`~rich.text.Text` (:func:`terminal_text`) or through
    :func:`rich_markup_safe`. Backslashes are not doubled, so a literal ``\\x1b`` in the input looks the same as an
    escaped ESC: the escaping is for people, not reversible.
    """
    if UNSAFE.search(text) is None:
        return text
    return UNSAFE.sub(_visible, text)


def safe_message(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """An error or warning line for stderr: ``text`` :func:`shorten`-ed to ``limit`` and then :func:`terminal_safe`.

    The result is one line (no line break) of printable characters; it can grow past ``limit`` only by the
    escapes of the characters it shows as escapes.
    """
    return terminal_safe(shorten(text, limit))


def terminal_text(text: str, *, limit: int | None = TEXT_LIMIT, style: str = "") -> Text:
    """``text`` as a rich :class:`~rich.text.Text`: :func:`shorten`-ed to ``limit`` (None: not at all), then
    :func:`terminal_safe`. Rich prints a Text as the characters it holds, so ``[bold]``, ``[link=...]``, ``[/]`` and
    ``:emoji:`` codes in it show as typed and can never raise a ``MarkupError``."""
    shown = text if limit is None else shorten(text, limit)
    return Text(terminal_safe(shown), style=style)


def rich_markup_safe(text: str, limit: int | None = TEXT_LIMIT) -> str:
    """``text`` for a rich *markup* string (``console.print(f"[yellow]warning:[/yellow] {...}")``): shortened,
    :func:`terminal_safe`, and every ``[`` that could open a tag escaped (``rich.markup.escape``). Prefer
    :func:`terminal_text`; this still leaves ``:emoji:`` codes to rich unless the console has ``emoji=False``."""
    shown = text if limit is None else shorten(text, limit)
    return _rich_escape(terminal_safe(shown))


class MarkdownSafe(str):
    """Text that is already Markdown and is printed as it is: the output of :func:`markdown_inline`,
    :func:`markdown_code`, or Markdown the program itself writes (``**yes**``) around such pieces.

    Any other ``str`` the Markdown template prints is escaped with :func:`markdown_inline` first. Building a
    ``MarkdownSafe`` from text that holds user input not passed through those functions defeats the escaping."""

    __slots__ = ()


_LINE_BREAK = re.compile(r"\r\n|[\n\r\t\x0b\x0c\x85\u2028\u2029]")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]{1,31}://|www\.)[^\s<>]*")
_INDEX = re.compile(r"\[[0-9]{1,9}\](?![(\[:])")
_LEADING_MARK = re.compile(r"^(?:[-+=](?=\s|$|[-+=])|[0-9]{1,9}[.)](?=\s|$))")
_ALWAYS = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "~": "\\~",
    "|": "\\|",
    "<": "&lt;",
    '"': "&quot;",
    "[": "\\[",
    "]": "\\]",
}


def _inline_escape(text: str) -> str:
    urls = [m.span() for m in _URL.finditer(text)]
    indexes = {i for m in _INDEX.finditer(text) for i in (m.start(), m.end() - 1)}
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == "&":
            out.append("&amp;" if _ENTITY.match(text, i) else "&")
        elif ch == "_":
            intraword = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
            in_url = any(a <= i < b for a, b in urls)
            out.append("_" if intraword or in_url else "\\_")
        elif ch in "[]" and i in indexes:
            out.append(ch)
        else:
            out.append(_ALWAYS.get(ch, ch))
    return "".join(out)


def markdown_inline(text: str, *, line_start: bool = True) -> MarkdownSafe:
    """``text`` as Markdown inline text that renders as the characters given, anywhere a line of the report puts
    it: a heading, a list item, a paragraph, a blockquote or a table cell.

    ``line_start=False`` is for text that continues a line after other Markdown (a sentence after a code span):
    its leading whitespace is kept and its first character is not treated as the start of a block, because it
    is not at the start of a line.

    Guarantees, for any input:

    - one line: every line break, tab and vertical space is a single space, leading whitespace is dropped (so no
      indented code block, no new block, no heading, fence or mermaid terminator on a line of its own);
    - no HTML: ``<`` and ``"`` become ``&lt;`` and ``&quot;`` (no tag, comment or autolink can open), and ``&`` becomes
      ``&amp;`` where it would start a character reference (``&lt;``, ``&#60;``); a bare ``&`` (as in a URL's query)
      is inert and stays, and so does ``>`` (``cloud -> local``) except at the start, where it would open a quote;
    - no Markdown: backslash, backtick (code spans, fences), ``*`` and ``~`` (emphasis, strikethrough, fences) and
      ``|`` (table cells) are backslash-escaped, and so is ``_`` wherever it could open or close emphasis (not
      between two letters or digits, not inside a URL); ``[`` and ``]`` are escaped (no link, image, footnote or
      link reference definition) except in an index like ``deployments[0]``, which the report defines no reference
      for and which no text can define;
    - nothing that starts a block: a leading ``#``, a leading ``>`` (as ``&gt;``), a leading ``-``, ``+`` or ``=`` that
      would make a list item, a thematic break or a setext underline, and a leading ``1.`` / ``1)`` are escaped;
    - no control, bidi or invisible format character: those of :data:`UNSAFE` are written as visible escapes
      (``\\x1b``, ``\\u202e``), which Markdown prints literally.

    Text without such characters (the report's own sentences, numbers, ids, URLs) comes back unchanged. The result
    is a :class:`MarkdownSafe`, so the template does not escape it twice.
    """
    text = _LINE_BREAK.sub(" ", text)
    if not line_start:
        return MarkdownSafe(terminal_safe(_inline_escape(text)))
    escaped = _inline_escape(text.lstrip())
    if escaped.startswith("#"):
        escaped = "\\" + escaped
    elif escaped.startswith(">"):
        escaped = "&gt;" + escaped[1:]
    else:
        lead = _LEADING_MARK.match(escaped)
        if lead is not None:
            mark = lead.group()
            escaped = (mark[:-1] + "\\" + mark[-1] if mark[0].isdigit() else "\\" + mark) + escaped[lead.end() :]
    return MarkdownSafe(terminal_safe(escaped))


def markdown_code(text: str) -> MarkdownSafe:
    """``text`` as one Markdown code span (an id: ``\u0060openai/gpt-4o\u0060``): rendered literally, HTML included.

    Guarantees: one line (line breaks and tabs as spaces), no control or bidi character (visible escapes as in
    :func:`terminal_safe`), ``|`` escaped as ``\\|`` (which GitHub-flavoured tables read as a ``|`` inside the span;
    outside a table the backslash shows), and a backtick fence longer than any run of backticks in the text, padded
    with a space where the text starts or ends with a backtick, so the span always closes where it should. Empty
    text gives an empty string, not an empty span.
    """
    body = terminal_safe(_LINE_BREAK.sub(" ", text)).replace("|", "\\|")
    if not body.strip():
        return MarkdownSafe(markdown_inline(body))
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    if body.startswith("`") or body.endswith("`"):
        body = f" {body} "
    return MarkdownSafe(f"{fence}{body}{fence}")


_MERMAID_MAP = str.maketrans({'"': "'", "`": "'", "[": "(", "{": "(", "<": "(", "]": ")", "}": ")", ">": ")"})
_MERMAID_KEEP = set(" .,:'()/+-_*=!?@$^~")


def mermaid_label(text: str, limit: int = 40) -> str:
    """``text`` as a label between double quotes in a mermaid chart inside a Markdown code fence.

    Guarantees: at most ``limit`` characters (:func:`shorten`); only letters, digits, spaces and ``.,:'()/+-_*=!?@$^~``
    (double quotes and backticks become ``'``, brackets, braces and angle brackets become parentheses, every other
    character, including ``#``, ``%``, ``;``, ``&``, ``|``, backslash and every control character, is dropped); one
    line, runs of spaces collapsed, no leading or trailing space. So the label can end neither its string, nor its
    list, nor the chart (no ``%%`` directive, no entity), nor the code fence."""
    mapped = terminal_safe(_LINE_BREAK.sub(" ", text)).translate(_MERMAID_MAP)
    kept = "".join(ch for ch in mapped if ch.isalnum() or ch in _MERMAID_KEEP)
    collapsed = " ".join(kept.split())
    short = shorten(collapsed, limit)
    return "".join(ch for ch in short if ch.isalnum() or ch in _MERMAID_KEEP or ch == "…")


_PUNCTUATION = {
    "\u2014": "-",
    "\u2013": "-",
    "\u2012": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2212": "-",
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": ",",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u2026": "...",
    "\u2192": "->",
    "\u2190": "<-",
    "\u00d7": "x",
    "\u2022": "*",
    "\u2588": "#",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u00b7": ".",
}


def _ascii_for(ch: str) -> str:
    if ch in _PUNCTUATION:
        return _PUNCTUATION[ch]
    bare = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return bare if bare and bare.isascii() and bare.isprintable() else "?"


def _text_errors(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(_ascii_for(ch) for ch in exc.object[exc.start : exc.end]), exc.end


def _json_errors(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), exc.end


codecs.register_error("llmdecide.text", _text_errors)
codecs.register_error("llmdecide.json", _json_errors)
_ERRORS: dict[str, str] = {
    "text": "llmdecide.text",
    "markdown": "xmlcharrefreplace",
    "html": "xmlcharrefreplace",
    "json": "llmdecide.json",
}


def stream_safe(text: str, encoding: str | None, kind: StreamKind = "text") -> str:
    """``text`` as a stream with ``encoding`` can take it: unchanged when it encodes; otherwise each character the
    encoding lacks is replaced, by ``kind``:

    - ``"json"``: a ``\\u`` escape (a surrogate pair above U+FFFF). JSON only has such characters inside strings, so
      the result is valid JSON that parses to exactly the same data;
    - ``"markdown"``: a numeric character reference (``&#8212;``), which Markdown renders as the character itself
      and never as syntax (inside a code span it shows as typed);
    - ``"html"``: the same character reference, which HTML renders as the character (inside ``<style>`` there is
      only ASCII);
    - ``"text"``: common punctuation as ASCII (em and en dashes as ``-``, curly quotes as straight ones, ``…`` as
      ``...``, ``→`` as ``->``, ``█`` as ``#``), accented letters without their accents, anything else as ``?``.

    ``encoding`` None or unknown is taken as UTF-8. Under UTF-8 the only characters that cannot be written are lone
    surrogates; they are replaced the same way.
    """
    name = encoding or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        name = "utf-8"
    try:
        text.encode(name)
    except UnicodeEncodeError:
        return text.encode(name, errors=_ERRORS[kind]).decode(name)
    return text


_JSON_UNSAFE = re.compile(f"[{_UNSAFE_ABOVE_C0}]")


def _json_escape(match: re.Match[str]) -> str:
    return _json_errors(UnicodeEncodeError("ascii", match.group(), 0, 1, "unsafe"))[0]


def json_inert(json_text: str) -> str:
    """JSON text (as ``json.dumps`` writes it) with every character of :data:`UNSAFE` that ``json.dumps`` leaves as it
    is (DEL, the C1 controls, bidi and other format characters, line separators, lone surrogates) written as a
    ``\\u`` escape. ``json.dumps`` already escapes the C0 controls, and JSON has the others only inside strings, so the
    result is valid JSON that parses to exactly the same data, and ``cat`` of it shows no control or bidi character;
    JSON without such characters comes back unchanged."""
    if _JSON_UNSAFE.search(json_text) is None:
        return json_text
    return _JSON_UNSAFE.sub(_json_escape, json_text)


def write_stdout(text: str, *, kind: StreamKind = "text", stream: IO[str] | None = None) -> None:
    """Write ``text`` to ``stream`` (default: the current ``sys.stdout``) through :func:`stream_safe`, so that a stream
    that cannot encode some character never raises ``UnicodeEncodeError`` and JSON stays valid JSON."""
    out = stream if stream is not None else sys.stdout
    out.write(stream_safe(text, getattr(out, "encoding", None), kind))


def _is_unicode(encoding: str | None) -> bool:
    try:
        return codecs.lookup(encoding or "utf-8").name.startswith("utf")
    except LookupError:
        return False


class _SafeStream:
    """A text stream that writes through :func:`stream_safe` to another one and otherwise behaves like it."""

    def __init__(self, target: IO[str], kind: StreamKind = "text") -> None:
        self._target = target
        self._kind: StreamKind = kind

    @property
    def wrapped(self) -> IO[str]:
        """The stream written to."""
        return self._target

    @property
    def encoding(self) -> str:
        """The wrapped stream's encoding, which rich reads to choose ASCII boxes."""
        return getattr(self._target, "encoding", None) or "utf-8"

    def write(self, text: str) -> int:
        self._target.write(stream_safe(text, self.encoding, self._kind))
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    def writable(self) -> bool:
        return True


def safe_stdout() -> TextIO | None:
    """None when ``sys.stdout`` encodes every character (a UTF encoding): a rich Console then writes to whatever
    ``sys.stdout`` is at the time, as by default. Otherwise a stream over ``sys.stdout`` that writes through
    :func:`stream_safe` as plain text, for ``Console(file=...)``: rich sees the stream's encoding, draws ASCII boxes
    for it, and no character it prints raises ``UnicodeEncodeError``."""
    if _is_unicode(getattr(sys.stdout, "encoding", None)):
        return None
    return cast(TextIO, _SafeStream(sys.stdout))
