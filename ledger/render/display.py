"""Text as a terminal shows it: a Chinese character (and any East Asian wide or fullwidth
one) takes two columns, a combining mark none. Tables pad and wrap by these widths, so a
column of names or memos in Chinese lines up as one in ASCII does."""

import unicodedata


def width(text: str) -> int:
    """The columns `text` takes on a terminal."""
    n = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        n += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return n


def ljust(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def rjust(text: str, columns: int) -> str:
    return " " * max(0, columns - width(text)) + text


def wrap(text: str, columns: int) -> list[str]:
    """`text` in lines of at most `columns` columns (a character wider than that still gets
    a line of its own), broken at a space where one is near, else between characters:
    nothing is cut off."""
    lines, line, used = [], "", 0
    for ch in text:
        w = width(ch)
        if used + w > columns and line:
            if ch == " ":  # the line ends right here, at a space
                lines.append(line)
                line, used = "", 0
                continue
            cut = line.rfind(" ")
            if cut > len(line) // 2:  # break at a space in the second half of the line
                lines.append(line[:cut])
                line = line[cut + 1 :]
            else:
                lines.append(line)
                line = ""
            used = width(line)
        line += ch
        used += w
    lines.append(line)
    return lines


# Punctuation that may not begin a line (a comma or a closing bracket is kept with the
# character before it), and that may not end one.
_NO_START = frozenset("，。、；：！？）》」』】〕’”…,.;:!?)]}%")
_NO_END = frozenset("（《「『【〔‘“([{")


def _tokens(text: str) -> list[str]:
    """Spaces, words of narrow characters, and wide characters one by one: a line may break
    at a space or beside a wide character, never inside a word."""
    out: list[str] = []
    for ch in text:
        last = out[-1][-1] if out else None
        word = ch != " " and width(ch) != 2 and last not in (None, " ") and width(last) != 2
        if word or (ch == " " and last == " "):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def fill(text: str, columns: int) -> list[str]:
    """Prose in lines of at most `columns` columns: broken at spaces and between Chinese
    characters, keeping a word of Latin letters whole unless it is longer than a line, and
    a comma or full stop on the line of the character before it."""
    lines: list[list[str]] = [[]]
    for tok in _tokens(text):
        line = lines[-1]
        if tok.isspace():
            if line:
                line.append(tok)
            continue
        if not line or sum(map(width, line)) + width(tok) <= columns:
            line.append(tok)
        else:
            while line[-1].isspace():
                line.pop()
            carry: list[str] = []
            # a closing mark stays with what is before it, an opening one with what follows
            if tok[0] in _NO_START and len(line) > 1:
                carry.append(line.pop())
            while len(line) > 1 and line[-1][-1] in _NO_END:
                carry.insert(0, line.pop())
            lines.append([*carry, tok])
        if width(tok) > columns:  # a word longer than a line: cut it by characters
            *whole, last = wrap("".join(lines.pop()), columns)
            lines.extend([[x] for x in whole])
            lines.append([last])
    return ["".join(x).rstrip() for x in lines]
