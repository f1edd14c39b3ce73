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
