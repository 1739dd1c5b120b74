"""Fence info strings and attributes, read and written like Runme."""

from __future__ import annotations

import json

import pytest

from fenced.document.attributes import (
    Attributes,
    build_info,
    format_attributes,
    go_json,
    parse_bool,
    parse_info,
    rebuild_info,
)


@pytest.mark.parametrize(
    ("info", "language", "attrs", "fmt"),
    [
        ("sh", "sh", {}, None),
        ("", "", {}, None),
        ('sh {"name":"x","interactive":"false"}', "sh", {"name": "x", "interactive": "false"}, "json"),
        ('{"name":"bash-echo-1"}', "", {"name": "bash-echo-1"}, "json"),
        ('{"name": "bash-echo-2"}', "", {"name": "bash-echo-2"}, "json"),  # first word is inside the block
        ("sh { name=date interactive=false }", "sh", {"name": "date", "interactive": "false"}, "html"),
        ("sh { hello=world val=20 empty }", "sh", {"hello": "world", "val": "20"}, "html"),
        ("sh {name=x}", "sh", {"name": "x"}, "html"),  # deviation: Runme reads the key "{name"
        (
            'js {"float":13.3,"key":"value","val":20}',
            "js",
            {"float": "13.3", "key": "value", "val": "20"},
            "json",
        ),
        (
            'sh {"excludeFromRunAll":true,"n":null,"l":[1,"a"]}',
            "sh",
            {"excludeFromRunAll": "true", "n": "null", "l": '[1,"a"]'},
            "json",
        ),
        ('sh {"nested":{"hello":"world","a":1}}', "sh", {"nested": '{"a":1,"hello":"world"}'}, "json"),
        ('sh {"cmd":"a}b"}', "sh", {"cmd": "a}b"}, "json"),  # deviation: Runme cuts at the first }
        ("sh {}", "sh", {}, "json"),
        ("python title=x", "python", {}, None),
        ('sh\t{"a":"b"}', "sh", {"a": "b"}, "json"),
    ],
)
def test_parse_info(info, language, attrs, fmt):
    parsed = parse_info(info)
    assert (parsed.language, parsed.attributes, parsed.format) == (language, attrs, fmt)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (20.0, "20"),
        (13.3, "13.3"),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (0.00001, "0.00001"),
        (-0.0, "-0"),
        (12345678901234567890.0, "12345678901234567000"),
        (1e16, "10000000000000000"),
        (True, "true"),
        (None, "null"),
        ("<&>", '"\\u003c\\u0026\\u003e"'),
    ],
)
def test_go_json_matches_go_encoding(value, text):
    assert go_json(value) == text


def test_invalid_json_falls_back_to_html_form():
    parsed = parse_info('sh {"name": "x",}')
    assert (parsed.format, parsed.attributes) == ("html", {})
    assert parse_info("sh {NaN}").format == "html"


def test_bool_parsing_is_gos():
    assert [parse_bool(v) for v in ("1", "t", "TRUE", "True", "0", "F", "false", "yes", "", None)] == [
        True,
        True,
        True,
        True,
        False,
        False,
        False,
        None,
        None,
        None,
    ]


def test_json_writer_is_sorted_compact_and_runme_safe():
    text = format_attributes({"name": "x", "b": "a}b", "a": "<1>"})
    assert text == '{"a":"\\u003c1\\u003e","b":"a\\u007db","name":"x"}'
    assert json.loads(text) == {"a": "<1>", "b": "a}b", "name": "x"}
    # Runme's first-"}" extractor still sees the whole block
    assert text.index("}") == len(text) - 1


def test_html_writer_puts_name_first_and_falls_back_to_json():
    assert (
        format_attributes({"val": "20", "name": "script", "hello": "world"}, "html")
        == "{ name=script hello=world val=20 }"
    )
    assert format_attributes({"name": "has space"}, "html") == '{"name":"has space"}'


def test_build_and_rebuild_info():
    assert build_info("sh", {"name": "x"}, "json") == 'sh {"name":"x"}'
    assert build_info("", {"name": "x"}, "json") == '{"name":"x"}'
    old = 'sh title=t {"name":"x"}'
    assert rebuild_info(old, parse_info(old), "bash", None, "json") == 'bash title=t {"name":"x"}'
    assert rebuild_info(old, parse_info(old), "sh", {}, "json") == "sh title=t"
    old = "sh {}"
    assert rebuild_info(old, parse_info(old), "sh", {"a": "b"}, None) == 'sh {"a":"b"}'


def test_attributes_dict_notifies_and_coerces():
    class Owner:
        touched = 0

        def _touch(self):
            self.touched += 1

    owner = Owner()
    attrs = Attributes(owner, {"a": "1"})
    attrs["interactive"] = False
    attrs.update(rows=3)
    del attrs["a"]
    attrs.pop("missing", None)
    assert attrs == {"interactive": "false", "rows": "3"}
    assert owner.touched == 3
