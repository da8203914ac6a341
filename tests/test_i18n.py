"""Chinese first, English available: catalogues complete and current, templates translated.

The checks read the source as the maintainers' ``pybabel extract`` does
(``babel.cfg``), so a new ``_("...")`` without a Chinese translation, a
template with English text outside ``_()``, or a catalogue compiled before
its last edit fails here.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer import i18n
from analyzer.cli.helptext import columns, wrap_wide

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "analyzer" / "locale"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "conduct.po"
MO = LOCALE / "zh_CN" / "LC_MESSAGES" / "conduct.mo"
TEMPLATES = [*sorted((ROOT / "analyzer" / "web" / "templates").glob("*.html")),
             *sorted((ROOT / "analyzer" / "reports" / "templates").glob("*"))]

babel = pytest.importorskip("babel", reason="babel (the dev extra) extracts the messages")


def _source_messages() -> set[tuple[str | None, object]]:
    """Every translatable message in the package, as ``pybabel extract -F babel.cfg`` finds it."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
                "N_": None, "NP_": ((1, "c"), 2)}
    out = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        out.add((context, message))
    return out


def _catalogue():
    from babel.messages.pofile import read_po

    with open(PO, "rb") as fh:
        return read_po(fh, locale="zh_CN")


def test_every_message_has_a_chinese_translation() -> None:
    catalogue = _catalogue()
    missing = []
    for context, message in sorted(_source_messages(), key=str):
        key = message if isinstance(message, str) else message[0]
        entry = catalogue.get(key, context=context)
        strings = entry.string if entry is not None else ""
        text = strings if isinstance(strings, str) else "".join(strings)
        if entry is None or not text or entry.fuzzy:
            missing.append(f"{context or ''}|{message}")
    assert not missing, "untranslated (run pybabel extract/update, translate, compile):\n" + \
        "\n".join(missing)


def test_translations_keep_their_placeholders() -> None:
    from babel.messages.checkers import python_format

    for message in _catalogue():
        if message.id and message.string:
            python_format(_catalogue(), message)  # raises TranslationError on a mismatch


def test_the_compiled_catalogue_is_the_current_one() -> None:
    with open(MO, "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for message in _catalogue():
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            got = compiled.npgettext(message.context, *message.id, 2) if message.context \
                else compiled.ngettext(*message.id, 2)
            assert got == message.string[0], message.id
        else:
            got = compiled.pgettext(message.context, message.id) if message.context \
                else compiled.gettext(message.id)
            assert got == message.string, f"{message.id!r}: compile the catalogue again"


#: ASCII words a page may show as they are (commands, options, units, formats).
ALLOWED_WORDS = {"conduct", "serve", "live", "stream", "listen", "HOST", "PORT", "CSV", "zip",
                 "dBFS", "retry", "errors", "recordings", "root", "svg", "http", "www", "org",
                 "xmlns", "data"}


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_templates_show_no_text_outside_the_catalogue(template: Path) -> None:
    """Text between tags is only placeholders, numbers and punctuation: words go through _()."""
    source = template.read_text(encoding="utf-8")
    source = re.sub(r"{#.*?#}|{%-?\s*trans\b.*?endtrans\s*-?%}|{{.*?}}|{%.*?%}", " ", source,
                    flags=re.S)
    source = re.sub(r"<(style|script)\b.*?</\1>", " ", source, flags=re.S)
    source = re.sub(r"<[^>]*>", " ", source)
    words = {w for w in re.findall(r"[A-Za-z][A-Za-z'-]{2,}", source)} - ALLOWED_WORDS
    assert not words, f"{template.name}: text outside _(): {sorted(words)}"


def test_languages_and_plural_forms() -> None:
    with i18n.language("en"):
        assert i18n.ngettext("%(num)d finding", "%(num)d findings", 1) == "1 finding"
        assert i18n.ngettext("%(num)d finding", "%(num)d findings", 2) == "2 findings"
        assert i18n.label("phone") == "phone"
    assert i18n.current() == "zh_CN"  # the default
    assert i18n.ngettext("%(num)d finding", "%(num)d findings", 1) == "1 个问题"
    assert i18n.ngettext("%(num)d finding", "%(num)d findings", 10) == "10 个问题"
    assert i18n.label("phone") == "电话" and i18n.label("no-such-value") == "no-such-value"
    assert i18n.normalize("zh-CN") == "zh_CN" and i18n.normalize("en_US") == "en"
    with pytest.raises(ValueError, match="unknown language"):
        i18n.normalize("fr")


def test_the_seed_terms_are_used_as_the_seed_uses_them() -> None:
    """好差评, 红黑榜, 月通报 and the other terms of the 2023 code, not paraphrases."""
    seed = (ROOT.parent / "shared" / "seed" / "code-of-conduct-2023.txt")
    for msgid, term in [("Red and black list", "红黑榜"), ("monthly bulletin", "月通报"),
                        ("Red and black list (好差评)", "好差评")]:
        assert term in i18n.gettext(msgid)
        if seed.is_file():
            assert term in seed.read_text(encoding="utf-8")


def test_the_command_line_speaks_chinese_unless_asked(tmp_path: Path, monkeypatch) -> None:
    from analyzer.cli import main
    from analyzer.store import Store

    monkeypatch.delenv(i18n.ENV, raising=False)
    db = tmp_path / "r.sqlite"
    Store(db).close()
    runner = CliRunner()
    zh = runner.invoke(main, ["report", "--db", str(db)])
    en = runner.invoke(main, ["report", "--db", str(db), "--lang", "en"])
    first = runner.invoke(main, ["--lang", "en", "report", "--db", str(db)])
    again = runner.invoke(main, ["report", "--db", str(db)])  # a choice does not stick
    assert zh.exit_code == en.exit_code == 0, zh.output + en.output
    assert "按大厅" in zh.output and "0 次服务" in zh.output
    assert "Per hall" in en.output and "0 interactions" in en.output
    assert first.output == en.output and again.output == zh.output
    monkeypatch.setenv(i18n.ENV, "en")
    assert "Per hall" in runner.invoke(main, ["report", "--db", str(db)]).output


def _commands(command, path=("conduct",)):
    """``(path, command)`` for every command of the ``conduct`` tree (sub-commands imported)."""
    import click

    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            yield from _commands(command.get_command(ctx, name), (*path, name))


def test_every_help_text_is_found_and_translated() -> None:
    """Each command's help and each option's help is in the catalogue Babel extracts, in Chinese.

    Read from the live click tree, so help built in a way the extractor does not
    see (a variable, an f-string) fails here too.
    """
    import click

    from analyzer.cli import main
    from analyzer.cli.helptext import TranslatedHelp, help_message

    chinese = i18n.translations("zh_CN")
    extracted = {message for _context, message in _source_messages()}
    texts = []
    for path, command in _commands(main):
        assert isinstance(command, TranslatedHelp), f"{' '.join(path)}: use cls=Command/Group"
        texts.append((path, help_message(command.help or "")))
        texts += [((*path, param.name or ""), param.help) for param in command.params
                  if isinstance(param, click.Option) and param.help and not param.hidden]
    assert len(texts) > 100
    missing = [f"{' '.join(where)}: {text!r}" for where, text in texts
               if text not in extracted or chinese.gettext(text) == text]
    assert not missing, "help not extracted or not translated:\n" + "\n".join(missing)


@pytest.mark.parametrize("args", [["--help"], ["batch", "--help"], ["examples", "export", "-h"]])
def test_help_pages_are_chinese_unless_asked(args: list[str], monkeypatch) -> None:
    """``--lang`` anywhere on the line (even after --help) and $CONDUCT_LANG choose the page's language."""
    from analyzer.cli import main

    monkeypatch.delenv(i18n.ENV, raising=False)
    runner = CliRunner()
    zh = runner.invoke(main, args)
    pages = [runner.invoke(main, ["--lang", "en", *args]), runner.invoke(main, [*args, "--lang", "en"]),
             runner.invoke(main, [*args, "--lang=en"])]
    monkeypatch.setenv(i18n.ENV, "en")
    pages.append(runner.invoke(main, args))
    assert zh.exit_code == 0 and all(p.exit_code == 0 for p in pages), zh.output
    assert zh.output.startswith("用法：") and "选项:" in zh.output and "显示本帮助并退出" in zh.output
    assert not re.search(r"\b(Analyze|Write|Show this)\b", zh.output), zh.output
    wide = [line for line in zh.output.splitlines() if columns(line) > 80]
    assert not wide, "Chinese help wider than the terminal:\n" + "\n".join(wide)
    english = pages[0].output
    assert english.startswith("Usage:") and "Show this message and exit." in english
    assert all(p.output == english for p in pages)
    if args == ["--help"]:
        assert "命令:" in zh.output and "分析 SOURCE（文件夹" in zh.output  # batch's first sentence
        assert "Analyze SOURCE (a folder" in english
        assert "服务行为规范" in zh.output
    if args[0] == "batch":
        assert "SQLite 结果数据库（不存在时新建）。" in zh.output
        assert "SQLite results database (created if missing)." in english


def test_chinese_help_wraps_by_terminalcolumns() -> None:
    text = "已分析过的内容（模型和规则词库版本相同）会跳过，因此中断的批处理可从中断处继续。\n\n第二段 SOURCE 一词不拆开。"
    lines = wrap_wide(text, 20)
    assert all(columns(line) <= 20 for line in lines), lines
    assert "" in lines and any("SOURCE" in line for line in lines)  # paragraphs kept, words whole
    assert "".join(lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert not any(line.startswith(("，", "。", "）")) for line in lines)
