"""Display widths (render/display.py): what a terminal gives each character."""

from ledger.render import display


def test_a_chinese_character_takes_two_columns():
    assert display.width("李建国") == 6
    assert display.width("opening balance") == 15
    assert display.width("医保 2025") == 4 + 1 + 4
    assert display.width("（全角）") == 8  # fullwidth brackets are wide too
    assert display.width("e\u0301") == 1  # a combining accent takes none


def test_padding_is_by_columns_not_characters():
    assert display.ljust("李建国", 10) == "李建国    "  # 6 columns + 4 spaces
    assert display.rjust("12.50", 8) == "   12.50"
    assert display.ljust("longer than this", 4) == "longer than this"  # never cut


def test_wrapping_cuts_nothing():
    memo = "开户初始余额，由原医保系统迁移而来，核对无误"  # 22 characters, 44 columns
    lines = display.wrap(memo, 20)
    assert lines == ["开户初始余额，由原医", "保系统迁移而来，核对", "无误"]  # 10 + 10 + 2 characters
    assert "".join(lines) == memo and all(display.width(x) <= 20 for x in lines)
    assert display.wrap("opening balance from the old system", 20) == ["opening balance from", "the old system"]
    assert display.wrap("short", 20) == ["short"]


def test_prose_is_filled_between_chinese_characters_and_at_spaces_never_inside_a_word():
    text = "按 docs/cli.md 说明，设置LEDGER_LANG=zh可以切换语言。"
    # 16 columns: "按 docs/cli.md" is 2 + 1 + 11 = 14; "说明，设置" 10, and "LEDGER_LANG=zh"
    # (14) does not fit beside it; "可" (2) does beside the word
    assert display.fill(text, 16) == ["按 docs/cli.md", "说明，设置", "LEDGER_LANG=zh可", "以切换语言。"]
    assert display.fill("opening balance from the old system", 20) == ["opening balance from", "the old system"]


def test_a_closing_mark_never_starts_a_line_nor_an_opening_one_ends_it_and_an_overlong_word_is_cut():
    # ten characters fill 20 columns; the comma after them goes down with the tenth
    assert display.fill("一二三四五六七八九十，好", 20) == ["一二三四五六七八九", "十，好"]
    # "（" would end the full line: it goes down with what it opens
    assert display.fill("一二三四五六七八九（十）", 20) == ["一二三四五六七八九", "（十）"]
    assert display.fill("a verylongwordthatdoesnotfit here", 10) == ["a", "verylongwo", "rdthatdoes", "notfit", "here"]
