"""The zh-hans catalogues are complete, compiled and current, and pages speak Chinese by default.

msgids are English, so English needs no catalogue. Chinese is the default language: a msgid
left untranslated, fuzzy or missing from its catalogue shows English to every user. The
catalogues are refreshed with `make messages`; these tests say what it forgot.
"""

import ast
import io
import re
import tokenize
from collections.abc import Iterator, Sequence
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

from tuoguan.testing import Personas

BASE_DIR = Path(settings.BASE_DIR)
LOCALE = "zh_Hans"
# The foundation must always be translated; any other app joins once it has a locale/ dir.
REQUIRED_APPS = ("core", "orgs", "accounts", "audit", "notifications")
APP_DIRS = sorted(p for p in (BASE_DIR / "tuoguan").iterdir() if (p / "apps.py").exists())
CATALOGUED_APPS = sorted({*REQUIRED_APPS, *(p.name for p in APP_DIRS if (p / "locale").is_dir())})
ROOT_SOURCES = ("templates", "config")  # the root locale/ (LOCALE_PATHS) covers these
SKIPPED_DIRS = {"tests", "migrations", "locale", "__pycache__"}  # as `make messages` skips them

Key = tuple[str | None, str]  # (msgctxt, msgid)


def po_path(root: Path) -> Path:
    return root / "locale" / LOCALE / "LC_MESSAGES" / "django.po"


def catalogues() -> list[Path]:
    found = {po_path(BASE_DIR), *(po_path(BASE_DIR / "tuoguan" / app) for app in CATALOGUED_APPS)}
    found.update(BASE_DIR.glob("tuoguan/*/locale/*/LC_MESSAGES/django.po"))
    return sorted(found)


def label(path: Path) -> str:
    return str(path.relative_to(BASE_DIR))


CATALOGUES = pytest.mark.parametrize("path", catalogues(), ids=label)


def live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


# --- the catalogues themselves --------------------------------------------------------------


@pytest.mark.parametrize("app", CATALOGUED_APPS)
def test_every_foundation_app_and_every_app_with_a_locale_dir_has_a_catalogue(app: str) -> None:
    path = po_path(BASE_DIR / "tuoguan" / app)
    assert path.exists(), (
        f"{label(path)} is missing: create tuoguan/{app}/locale/, then make messages"
    )
    assert path.with_suffix(".mo").exists(), f"{label(path)} is not compiled: make messages"


def test_the_root_catalogue_exists_for_templates_and_config() -> None:
    assert po_path(BASE_DIR).exists()


@CATALOGUES
def test_every_entry_is_translated(path: Path) -> None:
    untranslated = [e.msgid for e in polib.pofile(str(path)).untranslated_entries()]
    assert not untranslated, f"{label(path)}: untranslated {untranslated}"


@CATALOGUES
def test_no_entry_is_fuzzy(path: Path) -> None:
    po = polib.pofile(str(path))
    assert not po.metadata_is_fuzzy, f"{label(path)}: the header is fuzzy"
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not fuzzy, f"{label(path)}: fuzzy {fuzzy}"


@CATALOGUES
def test_chinese_has_one_plural_form(path: Path) -> None:
    po = polib.pofile(str(path))
    assert po.metadata.get("Plural-Forms") == "nplurals=1; plural=0;"
    for entry in live(po):
        if entry.msgid_plural:
            assert list(entry.msgstr_plural) == [0], f"{label(path)}: {entry.msgid!r}"


HANZI = "[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]"
# A half-width mark touching a Hanzi (or a full-width mark) is an English mark in a Chinese
# sentence: "名额,已满" should read "名额，已满".
HALF_WIDTH_BESIDE_HANZI = re.compile(rf"{HANZI}\s*[,;:?!()]|[,;:?!()]\s*{HANZI}")


@CATALOGUES
def test_chinese_sentences_use_chinese_punctuation(path: Path) -> None:
    wrong = []
    for entry in live(polib.pofile(str(path))):
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            bare = PLACEHOLDER.sub("X", text)  # "%(count)s:" is not a mark beside Hanzi
            if HALF_WIDTH_BESIDE_HANZI.search(bare):
                wrong.append(text)
    assert not wrong, f"{label(path)}: use ，；：？！（） in {wrong}"


PLACEHOLDER = re.compile(
    r"%%|%\((?P<named>\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]"
    r"|(?P<positional>%[-#0 +]*\d*(?:\.\d+)?[sdifr])|\{(?P<brace>\w*)\}"
)


def placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Named placeholders as a set (order may change in Chinese); positional ones in order."""
    named, positional = set(), []
    for match in PLACEHOLDER.finditer(text):
        if match["named"] is not None:
            named.add(f"%({match['named']})")
        elif match["brace"] is not None:
            named.add(f"{{{match['brace']}}}")
        elif match["positional"] is not None:
            positional.append(match["positional"])
    return frozenset(named), tuple(positional)


@CATALOGUES
def test_placeholders_in_the_translation_match_the_msgid(path: Path) -> None:
    wrong = []
    for entry in live(polib.pofile(str(path))):
        if entry.msgid_plural:
            pairs = [(entry.msgid_plural, text) for text in entry.msgstr_plural.values()]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        wrong += [
            (msgid, text) for msgid, text in pairs if placeholders(msgid) != placeholders(text)
        ]
    assert not wrong, f"{label(path)}: placeholders differ in {wrong}"


def messages_of_po(po: polib.POFile) -> dict[Key, tuple[str, ...]]:
    return {
        (e.msgctxt, e.msgid): tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural))
        if e.msgid_plural
        else (e.msgstr,)
        for e in po.translated_entries()
    }


def messages_of_mo(mo: polib.MOFile) -> dict[Key, tuple[str, ...]]:
    return {
        (e.msgctxt, e.msgid): tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural))
        if e.msgid_plural
        else (e.msgstr,)
        for e in mo
        if e.msgid  # the header
    }


@CATALOGUES
def test_the_committed_mo_file_matches_the_po_file(path: Path) -> None:
    mo_path = path.with_suffix(".mo")
    assert mo_path.exists(), f"{label(mo_path)} is missing: run make messages"
    po, mo = polib.pofile(str(path)), polib.mofile(str(mo_path))
    assert messages_of_mo(mo) == messages_of_po(po), f"{label(mo_path)} is stale: make messages"
    assert mo.metadata.get("Plural-Forms") == po.metadata.get("Plural-Forms")


# --- every msgid in the code is in its catalogue (no xgettext needed) ----------------------

# The keywords `makemessages` gives xgettext; the index of msgctxt, msgid in the arguments.
KEYWORDS = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "N_": (None, 0),  # gettext_noop, see tuoguan/core/management/commands/makemessages.py
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}


def key_of(name: str, args: Sequence[object]) -> Key | None:
    context_at, msgid_at = KEYWORDS[name]
    if len(args) <= msgid_at or not isinstance(args[msgid_at], str):
        return None
    context = args[context_at] if context_at is not None else None
    if context is not None and not isinstance(context, str):
        return None
    return context, str(args[msgid_at])


def python_msgids(tree: ast.AST) -> Iterator[Key]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in KEYWORDS:
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
            if key := key_of(name, args):
                yield key


def fstring_msgids(tree: ast.AST) -> Iterator[Key]:
    """Marked strings inside f-strings: xgettext never sees them, so they stay English."""
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            yield from python_msgids(node)


def template_msgids(source: str) -> Iterator[Key]:
    # templatize() turns a template into gettext() calls among filler, as makemessages does;
    # each call sits on one line (newlines inside a msgid are escaped by repr()).
    for line in templatize(source).splitlines():
        if "gettext(" in line:
            yield from _calls(line.strip())


def _calls(line: str) -> Iterator[Key]:
    tokens = list(tokenize.generate_tokens(io.StringIO(line).readline))
    for index, token in enumerate(tokens[:-1]):
        if (
            token.type == tokenize.NAME
            and token.string in KEYWORDS
            and tokens[index + 1].string == "("
        ):
            args: list[object] = []
            for arg in tokens[index + 2 :]:
                if arg.string == ")":
                    break
                if arg.type == tokenize.STRING:
                    args.append(ast.literal_eval(arg.string))
            if key := key_of(token.string, args):
                yield key


def source_files(root: Path) -> Iterator[Path]:
    for path in root.rglob("*"):
        parts = set(path.relative_to(root).parts[:-1])
        if path.suffix in {".py", ".html", ".txt"} and not parts & SKIPPED_DIRS:
            yield path


def msgids_in(roots: list[Path], *, in_fstrings: bool = False) -> dict[Key, str]:
    found: dict[Key, str] = {}
    for root in roots:
        for path in source_files(root):
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".py":
                tree = ast.parse(text)
                keys = fstring_msgids(tree) if in_fstrings else python_msgids(tree)
            else:
                keys = iter(()) if in_fstrings else template_msgids(text)
            for key in keys:
                found.setdefault(key, label(path))
    return found


def sources_of(path: Path) -> list[Path]:
    owner = path.parents[3]  # <owner>/locale/zh_Hans/LC_MESSAGES/django.po
    return [BASE_DIR / name for name in ROOT_SOURCES] if owner == BASE_DIR else [owner]


@CATALOGUES
def test_every_msgid_in_the_code_is_in_its_catalogue(path: Path) -> None:
    if not path.exists():
        pytest.skip("no catalogue yet (see the test that requires it)")
    catalogue = {(e.msgctxt, e.msgid) for e in live(polib.pofile(str(path)))}
    missing = {
        key: where for key, where in msgids_in(sources_of(path)).items() if key not in catalogue
    }
    assert not missing, f"{label(path)} lacks {missing}: run make messages and translate"


@CATALOGUES
def test_no_msgid_hides_inside_an_f_string(path: Path) -> None:
    hidden = msgids_in(sources_of(path), in_fstrings=True)
    assert not hidden, f"{hidden}: xgettext cannot extract these; move the call out of the f-string"


def test_the_extractor_finds_what_makemessages_finds() -> None:
    # A guard for the test above: if extraction silently found nothing it would pass anyway.
    found = msgids_in([BASE_DIR / "templates"])
    assert (None, "Skip to content") in found
    assert (None, "%(counter)s unread notification") in found
    assert (None, "Mobile number or username") in msgids_in([BASE_DIR / "tuoguan" / "accounts"])
    assert ("person", "Name") in msgids_in([BASE_DIR / "tuoguan" / "orgs"])


# --- what users see -------------------------------------------------------------------------

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default(client) -> None:
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'lang="zh-hans"' in html
    for text in ("登录", "手机号码或用户名", "忘记密码？", "跳到正文", "工会爱心托管"):
        assert text in html
    assert "Log in" not in html and "Forgot your password?" not in html


@pytest.mark.django_db
def test_the_login_page_is_english_when_the_browser_asks_for_it(client) -> None:
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html
    for text in ("Log in", "Mobile number or username", "Forgot your password?"):
        assert text in html
    assert "登录" not in html


@pytest.mark.django_db
def test_a_failed_log_in_explains_itself_in_chinese(client) -> None:
    response = client.post(reverse("accounts:login"), {"username": "nobody", "password": "wrong"})
    assert "手机号码/用户名或密码错误" in response.content.decode()


@pytest.mark.django_db
def test_the_union_tree_is_chinese_by_default_and_english_on_request(
    client, personas: Personas
) -> None:
    client.force_login(personas.province_admin)
    html = client.get(reverse("orgs:tree")).content.decode()
    for text in ("工会", "搜索", "审计日志", "退出登录"):
        assert text in html
    assert "Log out" not in html and "Audit log" not in html

    html = client.get(reverse("orgs:tree"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("Unions", "Search", "Log out"):
        assert text in html
    assert "退出登录" not in html


def test_choices_labels_and_errors_follow_the_active_language() -> None:
    from tuoguan.accounts.models import Child
    from tuoguan.orgs.models import Role

    with translation.override("zh-hans"):
        assert str(Role.UNION_ADMIN.label) == "工会管理员"
        assert str(Child._meta.verbose_name) == "子女"
        plural = translation.ngettext("%(counter)s worker", "%(counter)s workers", 3)
        assert plural % {"counter": 3} == "3 名职工"
    with translation.override("en"):
        assert str(Role.UNION_ADMIN.label) == "Union administrator"
        assert translation.ngettext("%(counter)s worker", "%(counter)s workers", 1) == (
            "%(counter)s worker"
        )
        assert translation.ngettext("%(counter)s worker", "%(counter)s workers", 2) == (
            "%(counter)s workers"
        )


@pytest.mark.django_db
def test_a_notification_subject_is_written_in_chinese(client, personas: Personas) -> None:
    from tuoguan.notifications.models import Notification

    client.post(reverse("accounts:password_reset"), {"login": personas.parent.username})
    subject = Notification.objects.get(recipient=personas.parent).subject
    assert subject.startswith("您的工会爱心托管密码重置验证码为"), subject
    assert CJK.search(subject)
