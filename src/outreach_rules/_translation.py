"""Translation files: a pack's texts in another language, given by id.

A pack file `DIR/NAME.yaml` may ship translations as `DIR/translations/NAME.LOCALE.yaml`
(`interview-outreach.de.yaml`), one per locale. They live in a folder of their own so that
loading `DIR` as a folder of packs never takes a translation for a pack. A translation gives,
by id, the texts a candidate reads: decision titles and descriptions, fact labels, questions,
choice labels and `when_true` / `when_false` statements, rule rationales, recommendation
and finding texts, draft subjects and bodies, and the pack's list parameters (the term lists
of the draft review). Citations and quotes are not translated: they stay as the source wrote
them.

The files of one locale (a pack's and its overlays', in load order) merge into one
`Translation`: a later file's text wins. `check_translations` compares a translation with the
merged pack and reports, with file, line and column, an id the pack does not have, a text
for something the original does not say, a template that reads a name or uses a filter its
original does not or leaves out one it does (errors), and every text left untranslated
(warnings: the pack's own text is used).
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from babel import Locale, UnknownLocaleError
from jinja2 import TemplateSyntaxError, nodes
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import _known_templates, _templates
from ._catalog import phrases
from ._check import CheckedPack, template_position
from ._merge import merge_files
from ._rulebook import (
    FactSpec,
    Name,
    PackName,
    PackSpec,
    Rulebook,
    _dedupe,
    _problems_from_pydantic,
    _read_bytes,
    _with_file,
)
from ._suggest import suggest
from ._templates import Names, TemplateProblem, check_template
from ._words import Describer, FactWords, fact_words
from ._yaml import Document, Mark, YamlProblem, decode, read_document
from .errors import Problem, RulebookError

TRANSLATIONS_DIR = "translations"
LocaleName = Annotated[str, Field(pattern=r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2}|_[0-9]{3})?$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DecisionText(_Model):
    """A decision's title and description in the translation's language."""

    title: str | None = None
    description: str | None = None


class FactText(_Model):
    """How a fact is asked about and named in the translation's language."""

    label: str | None = None
    question: str | None = None
    description: str | None = None
    when_true: str | None = None
    when_false: str | None = None
    choices: dict[str, str] | None = None  # an enum's value -> its label


class DerivedText(_Model):
    """How a derived fact is named in the translation's language."""

    label: str | None = None
    description: str | None = None
    when_true: str | None = None
    when_false: str | None = None


class RuleText(_Model):
    """A rule's rationale, recommendation text and finding text, translated."""

    rationale: str | None = None
    recommend: str | None = None
    flag: str | None = None


class DraftText(_Model):
    """A draft's subject and body, translated."""

    subject: str | None = None
    body: str | None = None


class TranslationSpec(_Model):
    """A whole translation file."""

    translation: PackName  # the name of the pack it translates
    locale: LocaleName
    title: str | None = None
    description: str | None = None
    decisions: dict[Name, DecisionText] = Field(default_factory=dict)
    facts: dict[Name, FactText] = Field(default_factory=dict)
    derived: dict[Name, DerivedText] = Field(default_factory=dict)
    params: dict[Name, list[str]] = Field(default_factory=dict)
    rules: dict[Name, RuleText] = Field(default_factory=dict)
    drafts: dict[Name, DraftText] = Field(default_factory=dict)


@dataclass(frozen=True)
class TranslationFile:
    """One loaded translation file: its spec, its document (positions) and its digest."""

    spec: TranslationSpec
    doc: Document
    digest: str

    @property
    def path(self) -> str:
        return self.doc.file

    @property
    def locale(self) -> str:
        return self.spec.locale


# A text's key: (section, id, field); the pack's own texts have section "pack" and id "".
Key = tuple[str, str, str]


@dataclass
class Translation:
    """The texts of one locale, merged from its files in load order (later files win)."""

    locale: str
    files: list[TranslationFile]
    texts: dict[Key, str] = field(default_factory=dict)
    params: dict[str, list[str]] = field(default_factory=dict)
    where: dict[Key, tuple[TranslationFile, tuple[str | int, ...]]] = field(default_factory=dict)
    _facts: dict[str, tuple[FactSpec, FactSpec]] = field(default_factory=dict, repr=False)
    _describer: Describer | None = field(default=None, repr=False)

    def text(self, section: str, name: str, part: str, original: str) -> str:
        """The translated text, or `original` when the translation does not give it."""
        return self.texts.get((section, name, part), original)

    def fact(self, name: str, spec: FactSpec) -> FactSpec:
        """A fact's spec with its label, question and statements in this language."""
        found = self._facts.get(name)
        if found is None or found[0] is not spec:
            parts = ("label", "question", "when_true", "when_false")
            update = {
                part: self.texts[("facts", name, part)]
                for part in parts
                if ("facts", name, part) in self.texts and getattr(spec, part) is not None
            }
            found = self._facts[name] = (spec, spec.model_copy(update=update))
        return found[1]

    def describer(self, spec: PackSpec) -> Describer:
        """What puts conditions into words in this language: the translated labels and
        statements of the facts and derived facts, and the locale's phrases (made once:
        a translation belongs to one pack)."""
        if self._describer is None:
            self._describer = self._make_describer(spec)
        return self._describer

    def _make_describer(self, spec: PackSpec) -> Describer:
        found: dict[str, FactWords] = {}
        for section, entries in (("facts", spec.facts), ("derived", spec.derived)):
            for name, own in fact_words(entries).items():
                true, false = own.when_true, own.when_false
                found[name] = FactWords(
                    self.texts.get((section, name, "label"), own.label),
                    true and self.texts.get((section, name, "when_true"), true),
                    false and self.texts.get((section, name, "when_false"), false),
                )
        return Describer(found, phrases(self.locale), self.params)

    def choice(self, fact: str, value: str) -> str | None:
        """The label of an enum fact's value in this language, if the translation gives it."""
        return self.texts.get(("facts", fact, f"choices.{value}"))

    @property
    def digest(self) -> str:
        """sha256 over the digests of every file, in load order."""
        joined = "\n".join(item.digest for item in self.files)
        return hashlib.sha256(joined.encode("ascii")).hexdigest()


def translation_paths(rulebook: Rulebook) -> dict[str, list[Path]]:
    """The translation files beside the rulebook's pack files, by locale, in load order."""
    found: dict[str, list[Path]] = {}
    for pack in rulebook.files:
        for locale, paths in translation_paths_of(Path(pack.path)).items():
            found.setdefault(locale, []).extend(paths)
    return found


def translation_paths_of(path: Path) -> dict[str, list[Path]]:
    """The translation files of one pack file, by locale."""
    folder = path.parent / TRANSLATIONS_DIR
    if not folder.is_dir():
        return {}
    found: dict[str, list[Path]] = {}
    for candidate in sorted(folder.glob(f"{path.stem}.*.yaml")):
        locale = candidate.name[len(path.stem) + 1 : -len(".yaml")]
        found.setdefault(locale, []).append(candidate)
    return found


def load_translation_file(path: Path) -> TranslationFile:
    """Load and validate one translation file; raise RulebookError listing every problem."""
    raw = _read_bytes(path)
    try:
        doc = read_document(decode(raw, str(path)), str(path))
    except YamlProblem as problem:
        raise RulebookError([_with_file(problem.problem, str(path))]) from None
    if not isinstance(doc.data, dict):
        message = "a translation is a mapping with `translation`, `locale`, `facts`, ..."
        raise RulebookError([doc.problem((), message, code="schema")])
    try:
        spec = TranslationSpec.model_validate(doc.data)
    except ValidationError as error:
        problems = _problems_from_pydantic(doc, error.errors(), TranslationSpec)
        raise RulebookError(_dedupe(problems)) from None
    return TranslationFile(spec, doc, hashlib.sha256(raw).hexdigest())


def load_translations(paths: Iterable[Path]) -> tuple[list[TranslationFile], list[Problem]]:
    """Load translation files, collecting the problems of every file."""
    files: list[TranslationFile] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            files.append(load_translation_file(path))
        except RulebookError as error:
            problems.extend(error.problems)
    return files, problems


def merge_translation(locale: str, files: list[TranslationFile]) -> Translation:
    """One locale's files merged in order: a later file's text wins."""
    merged = Translation(locale, files)
    for file in files:
        for key, path, text in _texts_of(file.spec):
            merged.texts[key] = text
            merged.where[key] = (file, path)
        for name, terms in file.spec.params.items():
            merged.params[name] = list(terms)
            merged.where[("params", name, "")] = (file, ("params", name))
    return merged


def _texts_of(spec: TranslationSpec) -> Iterator[tuple[Key, tuple[str | int, ...], str]]:
    """Every text of a translation file: its key, its path in the document and the text."""
    for part in ("title", "description"):
        value = getattr(spec, part)
        if value is not None:
            yield ("pack", "", part), (part,), value
    sections: list[tuple[str, Mapping[str, BaseModel]]] = [
        ("decisions", spec.decisions),
        ("facts", spec.facts),
        ("derived", spec.derived),
        ("rules", spec.rules),
        ("drafts", spec.drafts),
    ]
    for section, entries in sections:
        for name, entry in entries.items():
            for part in type(entry).model_fields:
                value = getattr(entry, part)
                if isinstance(value, str):
                    yield (section, name, part), (section, name, part), value
                elif isinstance(value, dict):
                    for choice, label in value.items():
                        path = (section, name, part, choice)
                        yield (section, name, f"{part}.{choice}"), path, label


# ----------------------------------------------------------------- what a pack says
_TEMPLATED = frozenset(
    {("rules", "recommend"), ("rules", "flag"), ("drafts", "subject"), ("drafts", "body")}
)


def original_texts(spec: PackSpec) -> dict[Key, str]:
    """Every text of a merged pack that a translation gives (the candidate reads them)."""
    texts: dict[Key, str] = {("pack", "", "title"): spec.title}
    for name, decision in spec.decisions.items():
        texts[("decisions", name, "title")] = decision.title
        if decision.description:
            texts[("decisions", name, "description")] = decision.description
    for name, fact in spec.facts.items():
        for part in ("label", "question", "when_true", "when_false"):
            value = getattr(fact, part)
            if value is not None:
                texts[("facts", name, part)] = value
        for value in fact.values or []:
            texts[("facts", name, f"choices.{value}")] = value
    for name, derived in spec.derived.items():
        for part in ("label", "when_true", "when_false"):
            value = getattr(derived, part)
            if value is not None:
                texts[("derived", name, part)] = value
    for rule in spec.rules:
        texts[("rules", rule.id, "rationale")] = rule.rationale
        if rule.recommend is not None:
            texts[("rules", rule.id, "recommend")] = rule.recommend.text
        if rule.flag is not None:
            texts[("rules", rule.id, "flag")] = rule.flag.text
    for draft in spec.drafts:
        texts[("drafts", draft.id, "subject")] = draft.subject
        texts[("drafts", draft.id, "body")] = draft.body
    return texts


# Texts a translation may give though a pack without them is complete (read in the docs).
_OPTIONAL = frozenset(
    {("pack", "description"), ("facts", "description"), ("derived", "description")}
)


def _optional_text(spec: PackSpec, key: Key) -> bool:
    section, name, part = key
    if (section, part) not in _OPTIONAL:
        return False
    if section == "pack":
        return True
    entries: Mapping[str, Any] = spec.facts if section == "facts" else spec.derived
    return name in entries


# ----------------------------------------------------------------- checking
def language_name(locale: str) -> str:
    """The English name of a locale's language ("German"), or the locale itself."""
    try:
        return str(Locale.parse(locale).english_name or locale)
    except (UnknownLocaleError, ValueError):
        return locale


def known_locale(locale: str) -> bool:
    """Whether Babel's CLDR data knows the locale."""
    try:
        Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        return False
    return True


class _TranslationChecker:
    """Checks translation files against the pack as it stands after the pack file they
    translate: an overlay loaded later does not make an earlier file's translation wrong."""

    def __init__(self, checked: CheckedPack, spec: PackSpec | None = None) -> None:
        self.checked = checked
        self.spec = spec if spec is not None else checked.rulebook.spec
        self.originals = original_texts(self.spec)
        self.names = Names(
            {name: info.type for name, info in checked.facts.items()},
            {name: param.type for name, param in self.spec.params.items()},
        )
        self.problems: list[Problem] = []

    def error(
        self,
        file: TranslationFile,
        path: tuple[str | int, ...],
        message: str,
        code: str,
        *,
        key: bool = False,
        **extra: Any,
    ) -> None:
        mark = file.doc.key_mark(path) if key else file.doc.mark(path)
        self.problems.append(file.doc.problem_at(mark, message, code=code, **extra))

    def file(self, file: TranslationFile, locale: str, pack: str) -> None:
        """Check one file that translates the pack file named `pack`."""
        spec = file.spec
        if spec.translation != pack:
            self.error(
                file,
                ("translation",),
                f"this translates pack '{spec.translation}', not '{pack}'",
                "translation-pack",
                width=len(spec.translation),
            )
        if spec.locale != locale:
            self.error(
                file,
                ("locale",),
                f"locale '{spec.locale}' differs from the file name's '{locale}'",
                "translation-locale",
                width=len(spec.locale),
            )
        elif not known_locale(spec.locale):
            self.error(
                file,
                ("locale",),
                f"unknown locale '{spec.locale}'",
                "translation-locale",
                width=len(spec.locale),
            )
        self.ids(file)
        self.params(file)
        for key, path, text in _texts_of(spec):
            self.text(file, key, path, text)

    def ids(self, file: TranslationFile) -> None:
        known: dict[str, list[str]] = {
            "decisions": list(self.spec.decisions),
            "facts": list(self.spec.facts),
            "derived": list(self.spec.derived),
            "rules": [rule.id for rule in self.spec.rules],
            "drafts": [draft.id for draft in self.spec.drafts],
        }
        words = {
            "decisions": "decision",
            "facts": "fact",
            "derived": "derived fact",
            "rules": "rule",
            "drafts": "draft",
        }
        for section, names in known.items():
            for name in getattr(file.spec, section):
                if name not in names:
                    self.error(
                        file,
                        (section, name),
                        f"the pack has no {words[section]} '{name}'",
                        "translation-unknown-id",
                        key=True,
                        suggestions=tuple(suggest(name, names)),
                        width=len(name),
                    )

    def params(self, file: TranslationFile) -> None:
        for name in file.spec.params:
            param = self.spec.params.get(name)
            if param is None:
                self.error(
                    file,
                    ("params", name),
                    f"the pack has no parameter '{name}'",
                    "translation-unknown-id",
                    key=True,
                    suggestions=tuple(suggest(name, self.spec.params)),
                    width=len(name),
                )
            elif param.type != "list":
                self.error(
                    file,
                    ("params", name),
                    f"parameter '{name}' is {param.type}; a translation gives list parameters only",
                    "translation-extra",
                    key=True,
                    width=len(name),
                )

    def text(self, file: TranslationFile, key: Key, path: tuple[str | int, ...], text: str) -> None:
        section, name, part = key
        if section != "pack" and not self._has_id(section, name):
            return  # reported as an unknown id
        original = self.originals.get(key)
        if original is None and not _optional_text(self.spec, key):
            self.error(
                file,
                path,
                self._not_in_original(key),
                "translation-extra",
                key=True,
                width=len(str(path[-1])),
            )
            return
        if not text.strip():
            self.error(file, path, f"{_dotted(key)}: the text is empty", "translation-empty")
            return
        if (section, part) in _TEMPLATED and original is not None:
            self.template(file, key, path, text, original)

    def _has_id(self, section: str, name: str) -> bool:
        if section in ("rules", "drafts"):
            entries = self.spec.rules if section == "rules" else self.spec.drafts
            return any(entry.id == name for entry in entries)
        return name in getattr(self.spec, section)

    def _not_in_original(self, key: Key) -> str:
        section, name, part = key
        if part.startswith("choices."):
            value = part.removeprefix("choices.")
            fact = self.spec.facts[name]
            if fact.values is None:
                return f"fact '{name}' is {fact.type}; only an enum has choices"
            return f"'{value}' is not a value of fact '{name}'" + _mean(value, fact.values)
        what = {
            "decisions": "decision",
            "facts": "fact",
            "derived": "derived fact",
            "rules": "rule",
            "drafts": "draft",
        }.get(section, section)
        return f"{what} '{name}' has no {part} in the pack, so there is nothing to translate"

    def template(
        self,
        file: TranslationFile,
        key: Key,
        path: tuple[str | int, ...],
        text: str,
        original: str,
    ) -> None:
        try:
            check_template(text, self.names)
        except TemplateProblem as problem:
            line, column, width = template_position(file.doc, path, text, problem)
            self.problems.append(
                file.doc.problem_at(
                    Mark(line, column),
                    problem.message,
                    rule_id=key[1] if key[0] == "rules" else None,
                    code="template",
                    suggestions=problem.suggestions,
                    width=width,
                )
            )
            return
        if _known_templates.listed("translation", original, text):
            return  # listed with the package: this comparison found nothing
        count = len(self.problems)
        self.compare_parts(file, key, path, original, text)
        if len(self.problems) == count and "{" in original + text:
            _known_templates.passed("translation", original, text)

    def compare_parts(
        self, file: TranslationFile, key: Key, path: tuple[str | int, ...], original: str, text: str
    ) -> None:
        """A problem for every name or filter that one of the texts uses and the other not."""
        wanted, used = template_parts(original), template_parts(text)
        rule_id = key[1] if key[0] == "rules" else None
        for kind, names in (("name", wanted[0]), ("filter", wanted[1])):
            for item in sorted(names - (used[0] if kind == "name" else used[1])):
                self.error(
                    file,
                    path,
                    f"{_dotted(key)}: the translation leaves out the {kind} "
                    f"'{item}' that the original uses",
                    "translation-placeholder",
                    rule_id=rule_id,
                )
        for kind, names in (("name", used[0]), ("filter", used[1])):
            for item in sorted(names - (wanted[0] if kind == "name" else wanted[1])):
                self.error(
                    file,
                    path,
                    f"{_dotted(key)}: the translation uses the {kind} "
                    f"'{item}', which the original does not",
                    "translation-template",
                    rule_id=rule_id,
                )

    def missing(self, translation: Translation) -> None:
        """A warning for every text of the pack the locale leaves untranslated."""
        last = translation.files[-1]
        language = _LazyName(translation.locale)  # Babel's names load only when a text is missing
        for key in self.originals:
            if key in translation.texts:
                continue
            self.problems.append(
                last.doc.problem_at(
                    _nearest_key(last.doc, key),
                    f"{_dotted(key)} has no {language} text; the pack's own is used",
                    code="translation-missing",
                    severity="warning",
                )
            )
        for name, param in self.spec.params.items():
            if param.type == "list" and name not in translation.params:
                self.problems.append(
                    last.doc.problem_at(
                        _nearest_key(last.doc, ("params", name, "")),
                        f"params.{name} has no {language} terms; the pack's own are used",
                        code="translation-missing",
                        severity="warning",
                    )
                )


class _LazyName:
    """A locale's language name in English, looked up when a message first writes it."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.name: str | None = None

    def __str__(self) -> str:
        if self.name is None:
            self.name = language_name(self.locale)
        return self.name


def _nearest_key(doc: Document, key: Key) -> Mark:
    """Where a missing text belongs in a translation file: the key of its id, else of its
    section, else the file's first line."""
    section, name, _ = key
    for path in ((section, name), (section,)):
        if path in doc.keys and section != "pack":
            return doc.key_mark(path)
    return Mark(1, 1)


def _mean(name: str, known: Iterable[str]) -> str:
    found = suggest(name, known)
    return f" (did you mean {', '.join(repr(item) for item in found)}?)" if found else ""


def _dotted(key: Key) -> str:
    section, name, part = key
    return part if section == "pack" else f"{section}.{name}.{part}"


@functools.lru_cache(maxsize=512)
def template_parts(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The names (facts, functions, `params.NAME`) and the filters of a template that keeps
    to the subset (the pack's own texts, and translations once checked). Remembered by
    text: every locale compares its texts with the same originals."""
    if "{" not in text:
        return frozenset(), frozenset()
    try:
        tree = _templates._ENV.parse(text)
    except TemplateSyntaxError:
        return frozenset(), frozenset()
    params = {
        f"params.{node.attr}"
        for node in tree.find_all(nodes.Getattr)
        if isinstance(node.node, nodes.Name) and node.node.name == "params"
    }
    filters = frozenset(node.name for node in tree.find_all(nodes.Filter))
    names = _templates.undeclared_names(tree) - {"params"}
    return frozenset(names | params), filters


def check_translations(
    checked: CheckedPack, locales: Iterable[str] | None = None
) -> tuple[dict[str, Translation], list[Problem]]:
    """Load and check the translations beside a checked pack (all locales unless told).

    Each file is checked against the pack as its own pack file left it (the packs loaded
    so far); a text that a later overlay replaced or removed no longer applies and falls
    back to the text in force. Returns the merged translations of the locales that load and
    every problem found: errors for what cannot be right, warnings for the texts left
    untranslated."""
    rulebook = checked.rulebook
    paths = translation_paths(rulebook)
    owners = _owners(rulebook)
    wanted = set(locales) if locales is not None else None
    final = _TranslationChecker(checked)
    checkers = _checkers(checked, {owners[str(p)] for found in paths.values() for p in found})
    translations: dict[str, Translation] = {}
    load_problems: list[Problem] = []
    for locale, files in paths.items():
        if wanted is not None and locale not in wanted:
            continue
        loaded, problems = load_translations(files)
        load_problems.extend(problems)
        for file in loaded:
            owner = owners[file.path]
            checker = checkers.get(owner, final)
            checker.file(file, locale, rulebook.files[owner].spec.pack)
        if loaded and not problems:
            translation = merge_translation(locale, loaded)
            _drop_replaced(translation, final, checkers, owners)
            final.missing(translation)
            translations[locale] = translation
    found = [*load_problems, *final.problems]
    found += [problem for checker in checkers.values() for problem in checker.problems]
    return translations, sorted(found, key=lambda p: (p.file, p.line, p.column))


def _owners(rulebook: Rulebook) -> dict[str, int]:
    """The index of the pack file each translation file translates, by its path."""
    return {
        str(path): index
        for index, pack in enumerate(rulebook.files)
        for found in translation_paths_of(Path(pack.path)).values()
        for path in found
    }


def _checkers(checked: CheckedPack, indices: set[int]) -> dict[int, _TranslationChecker]:
    """A checker for each earlier pack file that has translations: the pack merged up to it."""
    files = checked.rulebook.files
    return {
        index: _TranslationChecker(checked, merge_files(files[: index + 1])[0])
        for index in sorted(indices)
        if index < len(files) - 1
    }


def _drop_replaced(
    translation: Translation,
    final: _TranslationChecker,
    checkers: dict[int, _TranslationChecker],
    owners: dict[str, int],
) -> None:
    """Leave out the texts that translate what a later pack file replaced or removed."""
    for key, (file, _) in list(translation.where.items()):
        earlier = checkers.get(owners[file.path])
        if earlier is None or key[0] == "params":
            continue
        now, then = final.originals.get(key), earlier.originals.get(key)
        gone = key[0] != "pack" and not final._has_id(key[0], key[1])
        if gone or now != then:
            del translation.texts[key], translation.where[key]


class Translations(Mapping[str, Translation]):
    """The translations of a checked pack by locale, each loaded and checked when it is
    first asked for: an engine that never speaks German never reads its German file, and
    one with an error is refused (RulebookError, as `check` reports it) on first use."""

    def __init__(self, checked: CheckedPack) -> None:
        self._checked = checked
        self._paths = translation_paths(checked.rulebook)
        self._loaded: dict[str, Translation] = {}
        self.lock = threading.Lock()

    def __getitem__(self, locale: str) -> Translation:
        found = self._loaded.get(locale)
        if found is not None:
            return found
        if locale not in self._paths:
            raise KeyError(locale)
        with self.lock:
            found = self._loaded.get(locale)
            if found is None:
                found = self._loaded[locale] = self._load(locale)
        return found

    def _load(self, locale: str) -> Translation:
        translations, problems = check_translations(self._checked, [locale])
        errors = [problem for problem in problems if problem.severity == "error"]
        if errors:
            raise RulebookError(errors)
        return translations[locale]

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._paths))

    def __len__(self) -> int:
        return len(self._paths)
