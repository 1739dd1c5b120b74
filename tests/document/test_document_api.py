def test_cell_line_is_where_the_cell_starts_with_any_newline_style() -> None:
    from fenced.document import Cell, loads

    nb = loads("# a\r\nb\r\n\r\n```sh\r\necho\r\n```\r\n\rtext\n")
    assert [c.line for c in nb.cells][:2] == [1, 4]
    assert Cell.new_code("x").line is None
