"""Party attribution: whose soldiers, people or materiel a figure counts, and by which rule.

:func:`party_mentions` finds the parties a sentence names and how (actor, place, possessor);
:func:`party` decides a figure's party from its noun, the words around it, the sentence and
:class:`Context` (what earlier sentences named), with the rule that decided (``possessor`` …).
What stays out: the noun (:mod:`.nouns`) and the measure (:mod:`.measures`).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from . import lexicon as lx
from .gazetteer import column, find_places
from .nouns import demonym, set_noun, unqualified
from .sentences import Figure, Mention, Sentence
from .text import fold_case, prefix_tree

PARTY_RE = re.compile(r"(?<![\w-])(?:" + prefix_tree(set(lx.STATES) | set(lx.FORCES)) + r")(?:'s|s)?(?!\w)")
"""A party's name, nationality or force (on text folded by fold_case)."""
_UPPER_ONLY = {"us", "un", "eu", "uk", "cma", "vdp", "isgs", "jnim", "gsim", "aqim", "isis", "isil"}
_PLACE_BEFORE = "in near at into across throughout outside inside around within toward towards to over from via through on".split()
_DIRECTIONS = ("north south east west central northern southern eastern western north-east north-eastern northeastern "
               "north-west northwestern south-west south-east neighbouring neighboring").split()
_LOCATIVE = re.compile(r"\b(?:" + "|".join(_PLACE_BEFORE) + r"|(?:border|borders|frontier)\s+with)\s+(?:the\s+)?(?:(?:"
                       + "|".join(_DIRECTIONS) + r")\s+)?$")  # on folded text, as _NEAR
_LOCATIVE_END = (*_PLACE_BEFORE, "with", "the", *_DIRECTIONS)  # how every match of _LOCATIVE ends: a first test
_NEAR = re.compile(r"\b(?:near|toward|towards|to|from|via|over|(?:border|borders|frontier)\s+with)\s+"
                   r"(?:the\s+)?$")
_AFTER_LOCATIVE = re.compile(r"^\s*(?:border|borders|frontier|region|side|capital|territory)\b"
                             r"|^'s\s+(?:[A-Z]\w+\s+)?(?:park|reserve|region|province|border|capital|north|south|"
                             r"east|west|centre|center|territory|city|town|village|desert)\b", re.I)
RELATIVE = re.compile(r",\s*(?:which|who|whose|where)\b[^,;]*(?:,|$)"
                      r"|,\s*(?:set\s+up|created|formed|launched|founded|established|made\s+up|composed)\b[^;]*?,"
                      r"(?=\s+(?:was|is|has|had|were|are|will|would)\b)"
                      r"|,(?<=[A-Za-z],)\s+(?:the|a|an)\s+[^,;]{3,50},(?=\s+(?:has|have|had|is|was|will|said|lost|sent|keeps|deployed)\b)",
                      re.I)  # every branch begins with the comma: a fast first-character scan
"""Relative clauses and appositions: a party named there is not the sentence's actor."""
_MILITARY_AFTER = re.compile(r"^\s*(?:'s\s+)?(?:army|armed\s+forces|forces|military|troops|soldiers|base|"
                             r"camp|headquarters|post|garrison|gendarmerie|contingent|defence|defense)\b", re.I)
_HOME_ARMY = re.compile(r"\b(?:the|its|an?)\s+(?:army|military)\b")  # on folded text: the country's own
_CLAUSE_BREAK = re.compile(r";|,\s*(?:while|though|although|but|whereas|as|and)\b|\s-\s", re.I)
_ATTACKERS = set(lx.words("attacker"))
_MIXED = re.compile(r"^\s*,\s*(?:(?:roughly|about|around|nearly|almost|some|just\s+over|just\s+under|more\s+than)\s+)?"
                    r"(?:half|most|many|a\s+third|a\s+quarter|two\s+thirds|some|\d+)\s+of\s+(?:them|whom)\s+\w+", re.I)
_OF_ITS = re.compile(r"^\s+of\s+(?:its|their|our)\b", re.I)
_POSSESSOR = re.compile(r"(?:(\S+(?:\s\S+)?)'s|\b(its|their|our))(?:\s+\w+)?$", re.I)
_ITS_START = re.compile(r"^\W*(?:its|their)\b", re.I)
_FROM_OF = re.compile(r"^\s*(?:from|of)\s+(?:the\s+)?([A-Za-z' -]{2,30})")
_AT = re.compile(r"\bat\s+(?:the\s+)?$")
_SOLDIERS = re.compile(r"\b(?:soldiers?|troops?|servicem[ae]n|military|army|commandos?)\b")  # on folded text
_CIVILIAN_WORDS = re.compile(r"\b(?:civilians?|villagers?|wedding|market|worshippers|"
                             r"displaced|refugees?|fled|homes|residents|inhabitants|herders|"
                             r"farmers|massacre)\b")  # on folded text
_VICTIMS = re.compile(r"\b(?:civilians|villagers|massacred?|worshippers|hostages|passengers|hotel|"
                      r"(?:raided|attacked|stormed|targeted|attack\s+on|assault\s+on)\s+(?:\w+\s+){0,4}?villages?|"
                      r"villages?\s+(?:\w+\s+){0,3}?(?:was|were)\s+(?:attacked|raided|targeted)|"
                      r"in\s+[\w'-]+,\s+a\s+village|in\s+the\s+village\s+of)\b")  # on folded text
_KILLED_BY_SOLDIERS = re.compile(r"\b(?:soldiers|troops|army|forces)\b[^.;]{0,60}?(?<!were )(?<!was )(?<!been )"
                                 r"\b(?:killed|executed|massacred)\s+(?:\w+\s+){0,2}$")  # on folded text: the killers
_MIXED_TOLL = re.compile(r"\b(?:gendarm\w*|police|military|army|armed|in\s+total|violence|conflict|insurgency|"
                         r"attacks|since)\b")  # on folded text
_BREAKDOWN = ("of those", "of them", "of these", "of the dead", "among them")
_SOURCE = re.compile(r"\baccording\s+to\s+(?:the\s+)?$", re.I)
_RANKS = re.compile(r"[^;.]*?\bin\s+(?:the\s+ranks\s+of\s+(?:the\s+)?([A-Za-z][\w'. -]{1,30})|(?:its|their)\s+ranks)", re.I)
CONTRIBUTED_TO = re.compile(r"\b(?:to|for|with|in|under|into)\s+(?:the\s+)?(?:operation\s+|task\s+force\s+)?$",
                            re.I)
"""Before a force named as what a contingent joins ("sent 60 to Barkhane"), not who sends it."""
_ACCIDENT = re.compile(r"\b(?:collision|collided|crash|crashed|lost)\b", re.I)
_ACTIVE_VERB_AFTER = re.compile(
    r"^[\w\s-]{0,30}?\b(?:destroyed|killed|shot down|downed|hit|struck|targeted|bombed|attacked)\b", re.I)
_PASSIVE_AFTER = re.compile(r"^[\w\s-]{0,30}?\b(?:were|was|been)\s", re.I)
_BY_AGENT = re.compile(r"\b(?:destroyed|killed|shot\s+down|downed|hit|struck|targeted|bombed|attacked)"
                       r"\s+by\s+(?:the\s+)?$", re.I)
_LABEL_GAP = re.compile(r"^\s*[:=-]?\s*(?:(?:between|about|around|some|over|at\s+least|more\s+than)\s+)?$", re.I)
_GROUPS = ("JIHADIST", "ARMED_GROUP", "MERCENARY")
RULES = ("demonym", "demonym_civilian", "mixed_sides", "noun_nationality", "noun_default", "possessor",
         "from_country", "subject_possessive", "sentence_actor", "located_in", "located_at", "context_recent",
         "place_country", "located_near", "context_dominant", "attacker_group", "context_group",
         "attacker_default", "civilian_context", "civilian_article", "accident", "destroyed_jihadist", "destroyed_by_state",
         "destroyed_by_jihadist", "displaced", "antecedent", "gapping", "line_label", "ranks", "context_place", "default")
"""The codes of FIGURES.party_rule: which rule decided a figure's party."""
_MULTINATIONAL = ("UN", "EU", "G5S")


def party_mentions(sentence: str, folded: str) -> list[Mention]:
    """Parties named in ``sentence`` (``folded``: the sentence folded by fold_case)."""
    out = []
    for m in PARTY_RE.finditer(folded):
        surface = sentence[m.start():m.end()]
        key = surface.lower().removesuffix("'s")
        if key not in lx.STATES and key not in lx.FORCES:
            key = key[:-1]  # "Chadians"
        if (key in _UPPER_ONLY and not surface[:2].isupper()) or (key == "legion" and not surface[0].isupper()):
            continue
        party = lx.STATES.get(key) or lx.FORCES.get(key)
        before = folded[max(0, m.start() - 40):m.start()]
        locative = ""  # organisations and groups are actors, never places
        if key in lx.STATES and _AFTER_LOCATIVE.match(sentence[m.end():m.end() + 15]):
            locative = "near"
        elif key in lx.STATES and before.rstrip().endswith(_LOCATIVE_END) and _LOCATIVE.search(before):
            locative = "near" if _NEAR.search(before) else "in"  # (every match of _NEAR is one of _LOCATIVE)
        out.append(Mention(m.start(), m.end(), party, locative, surface.lower().endswith("'s"),
                           key in lx.STATES))
    return out


def party_in(span: str) -> str | None:
    """The party of the last name of a party in ``span``, or None."""
    found = None
    for m in PARTY_RE.finditer(fold_case(span)):
        surface = span[m.start():m.end()]
        key = surface.lower().removesuffix("'s")
        if key in _UPPER_ONLY and not surface[:2].isupper():
            continue
        found = lx.STATES.get(key) or lx.FORCES.get(key)
    return found


class Context:
    """What earlier sentences of the document said: parties and figures."""

    def __init__(self) -> None:
        self.recent: list[tuple[int, str]] = []  # (sentence index, state party)
        self.counts: Counter[str] = Counter()
        self.groups: list[tuple[int, str]] = []
        self.any: list[tuple[int, str]] = []
        self.sentence = 0
        self.civilian = False  # an earlier sentence told of an attack on civilians (not on soldiers)
        self.soldiers: int | None = None  # the last sentence that spoke of soldiers
        self.places: list[tuple[int, str]] = []  # states named as the place of events

    def add(self, sentence: Sentence) -> None:
        """Take in a coded sentence and move on to the next."""
        self.skip(sentence.text, sentence.folded, sentence.mentions)
        self.recent += [(self.sentence - 1, f.party) for f in sentence.figures
                        if f.cls == "force" and f.party in lx.STATE_PARTIES and f.party not in _MULTINATIONAL]

    def skip(self, text: str, folded: str, mentions: list[Mention] | None = None) -> None:
        """Take in a sentence without figures: the parties it names, whether it tells of an attack on
        civilians or speaks of soldiers (``mentions``: its parties, found from ``folded`` when None)."""
        if mentions is None:
            mentions = party_mentions(text, folded)
        if _SOLDIERS.search(folded):
            self.soldiers = self.sentence
        elif _VICTIMS.search(folded):
            self.civilian = True
        at = len(self.recent)
        for m in mentions:
            if m.locative != "near":
                self.any.append((self.sentence, m.party))
            if m.party in _GROUPS:
                self.groups.append((self.sentence, m.party))
            if m.party == "MERCENARY":
                self.recent.append((self.sentence, m.party))
            if m.locative == "in" and m.party in lx.STATE_PARTIES:
                self.places.append((self.sentence, m.party))
            if m.party in lx.STATE_PARTIES and m.party not in _MULTINATIONAL and m.locative != "near":
                self.counts[m.party] += 1
                self.recent.append((self.sentence, m.party))
                if _MILITARY_AFTER.match(text[m.end:m.end + 25]):  # "Burkina Faso's armed forces": first
                    self.recent.insert(at, self.recent.pop())
        self.sentence += 1

    def _latest(self, entries: list[tuple[int, str]], window: int, first: bool = False) -> str | None:
        """The party of the last entry (``first``: the first of its sentence), if within ``window`` sentences."""
        if not entries or self.sentence - entries[-1][0] > window:
            return None
        return next(p for i, p in entries if i == entries[-1][0]) if first else entries[-1][1]

    def recent_party(self, window: int = 3) -> str | None:
        """The state (or mercenaries) named first, one with its forces first, in the latest sentence naming one."""
        return self._latest(self.recent, window, first=True)

    def recent_any(self, window: int = 2) -> str | None:
        """The first party named as an actor in the latest sentence naming one (its subject)."""
        return self._latest(self.any, window, first=True)

    def recent_group(self, window: int = 2) -> str | None:
        """The armed group named last, if within ``window`` sentences."""
        return self._latest(self.groups, window)

    def place(self, latest: bool = True) -> str | None:
        """The state named last as the place of events (within two sentences; ``latest``), else most often
        (the first of a tie): the country reported."""
        return (latest and self._latest(self.places, 2)) or (
            Counter(p for _, p in self.places).most_common(1)[0][0] if self.places else None)

    def dominant(self) -> str | None:
        """The state named most often so far."""
        return self.counts.most_common(1)[0][0] if self.counts else None


def _first(*steps: tuple[str, Callable[[], str | None]]) -> tuple[str | None, str]:
    """The party of the first step that finds one, and that step's rule ("default" when none does)."""
    for rule, find in steps:
        found = find()
        if found:
            return found, rule
    return None, "default"


def line_label(s: Sentence) -> str | None:
    """The party a leading label gives a line's figures ("France: 10 killed", "Chad - 38 dead")."""
    if not s.figures or not s.mentions:
        return None
    m, first = s.mentions[0], s.figures[0]
    surface = s.text[m.start:m.end]
    if (s.text[:m.start].strip(" -*\u2022") or not _LABEL_GAP.match(s.text[m.end:first.start])
            or (surface.isupper() and len(surface) > 3)):  # "BAMAKO - Four civilians": a dateline
        return None
    return m.party


def ranks(s: Sentence, fig: Figure) -> str | None:
    """'three wounded in its ranks', 'one dead … in the ranks of FAMa': the army named."""
    m = _RANKS.match(s.text, fig.end, fig.end + 80)
    if not m:
        return None
    if m.group(1):
        return party_in(m.group(1))
    prior = [x for x in s.mentions if x.end <= fig.start and not x.locative and x.party in lx.STATE_PARTIES]
    return prior[0].party if prior else s.context.recent_any()


def code_parties(s: Sentence) -> None:
    """Set the party (and rule) of every figure of ``s`` that has its own noun, or of a labelled line."""
    label = line_label(s)
    for fig in s.figures:
        own = ranks(s, fig) if fig.elliptical or fig.cls == "person" else None
        if (label or own) and fig.elliptical and fig.value is not None:
            set_noun(s, fig, "person", fig.tok1, [])  # "Mali 82 killed": the label's people
            fig.elliptical = False
        if not fig.elliptical and fig.cls is not None:
            fig.party, fig.party_rule = (own, "ranks") if own else party(s, fig)
            if label and (fig.party_rule in ("noun_default", "default") or fig.party in (None, "UNKNOWN")):
                fig.party, fig.party_rule = label, "line_label"


def party(s: Sentence, fig: Figure) -> tuple[str | None, str]:
    """The party of a figure with a noun, and the rule that decided it."""
    key = fig.key
    if demonym(key):  # "two Nigeriens": civilians, unless soldiers are the subject here or just before
        soldiers = _SOLDIERS.search(s.folded) or (s.context.soldiers == s.context.sentence - 1
                                                and not civilian_context(s))
        return (demonym(key), "demonym") if soldiers else ("CIVILIAN", "demonym_civilian")
    default = lx.NOUNS[key][1]
    mods = _mods_party(s, fig)
    if fig.cls == "force" and key in lx.DOMESTIC and not mods and haver(s, fig) not in _MULTINATIONAL:
        # gendarmes and police serve at home (UN police excepted)
        return _first(("possessor", lambda: possessor(s, fig)), ("from_country", lambda: _after_from(s, fig)),
                      ("located_in", lambda: haver(s, fig, located="in")),
                      ("place_country", lambda: haver(s, fig, located="place")),
                      ("context_place", s.context.place), ("sentence_actor", lambda: haver(s, fig)),
                      ("context_dominant", s.context.dominant))
    if fig.cls == "force":
        if _MIXED.match(_after_noun(s, fig)):
            return "UNKNOWN", "mixed_sides"  # several sides together
        if mods:  # "13 French soldiers", "44 Boko Haram members", "Wagner men"
            return mods, "noun_nationality"
        if key in _ATTACKERS and "armed" in fig.modifiers:  # "a hundred armed men"
            return _group(s, fig)
        if default and key not in ("peacekeeper", "peacekeeping", "blue helmet"):
            return default, "noun_default"
        return _first(("possessor", lambda: possessor(s, fig)), ("from_country", lambda: _after_from(s, fig)),
                      ("noun_default", lambda: default), ("subject_possessive", lambda: _subject_possessive(s, fig)),
                      ("sentence_actor", lambda: haver(s, fig)), ("located_in", lambda: haver(s, fig, located="in")),
                      ("located_at", lambda: haver(s, fig, located="at")),
                      ("context_place", lambda: (haver(s, fig, located="place") or s.context.place(latest=False))
                       if _HOME_ARMY.search(s.folded) else None),  # "the army base": the country's own army
                      ("context_recent", s.context.recent_party),
                      ("place_country", lambda: haver(s, fig, located="place")),
                      ("located_near", lambda: haver(s, fig, located="near")),
                      ("context_dominant", s.context.dominant))
    if fig.cls == "person":
        found, rule = default, "noun_default"
        if mods and mods not in lx.STATE_PARTIES:
            if default in ("UNKNOWN", "JIHADIST", "ARMED_GROUP") and not (mods == "CIVILIAN" and default != "UNKNOWN"):
                found, rule = mods, "noun_nationality"
        elif mods and default == "UNKNOWN":
            found, rule = mods, "noun_nationality"
        elif key in _ATTACKERS and not mods and (key != "man" or "armed" in fig.modifiers):
            found, rule = _group(s, fig)
        civilian = civilian_context(s, fig) if found == "UNKNOWN" else None
        if civilian:
            found, rule = "CIVILIAN", civilian
        return found, rule
    if fig.cls == "materiel":
        return _first(("noun_nationality", lambda: mods), ("possessor", lambda: possessor(s, fig)))
    return (mods, "noun_nationality") if mods else (None, "default")


def civilian_context(s: Sentence, fig: Figure | None = None) -> str | None:
    """The rule by which unidentified victims are civilians: the sentence or the article speaks of civilians.

    None when the civilians are counted on their own, or soldiers are named before the figure (not as its killers).
    """
    if any(f.noun == "civilian" for f in s.figures):
        return None  # the civilians are counted on their own
    low = s.folded
    killers = fig is not None and _KILLED_BY_SOLDIERS.search(low, 0, fig.start)  # (not victims: "troops killed 500")
    if _CIVILIAN_WORDS.search(low) or (_VICTIMS.search(low) and (not _SOLDIERS.search(low) or killers)):
        return "civilian_context"
    if (fig is not None and s.context.civilian and not any(d.date_start for d in s.dates)
            and not _SOLDIERS.search(low, 0, fig.start) and not _MIXED_TOLL.search(low)):
        # (a sentence with a date of its own may tell of another attack)
        return "civilian_article"  # "At least 100 people had died" in a story of a village massacre
    return None


def _mods_party(s: Sentence, fig: Figure) -> str | None:
    if fig.noun_tok >= len(s.words) or fig.noun_tok <= fig.tok1:
        return None
    return party_in(s.text[fig.end:fig.mod_end or s.starts[fig.noun_tok]])


def possessor(s: Sentence, fig: Figure) -> str | None:
    """'France's 5,100 soldiers', 'its 600 troops', '30 of their motorcycles': the owner's party."""
    if _OF_ITS.match(s.text[fig.end:fig.end + 12]):
        owners = [f for f in s.figures if f.end <= fig.start and f.party and f.cls in ("force", "person")]
        if owners:  # "killed 50 fighters and destroyed 30 of their motorcycles"
            return owners[-1].party
        prior = [x for x in s.mentions if x.end <= fig.start and not x.locative]
        return prior[-1].party if prior else s.context.recent_any()
    start = max(0, fig.start - 40)
    if not any(w in s.folded[start:fig.start] for w in ("'", "its", "their", "our")):
        return None  # (a first test: every match of _POSSESSOR has one)
    m = _POSSESSOR.search(unqualified(s.text[start:fig.start]))
    if not m:
        return None
    if m.group(2):
        prior = [x for x in s.mentions if x.end <= fig.start and x.party in lx.STATE_PARTIES and not x.locative]
        if m.group(2).lower() == "our":  # the speaker: "13 of our soldiers" in a Chadian communique
            return prior[-1].party if prior else s.context.dominant()
        return prior[-1].party if prior else s.context.recent_any()
    owner = m.group(1).lower()
    for key in (owner, owner.split()[-1]):
        p = lx.STATES.get(key) or lx.FORCES.get(key)
        if p:
            return p
    return None


def _after_noun(s: Sentence, fig: Figure) -> str:
    if fig.noun_tok >= len(s.words):
        return ""
    end = s.tok_end(fig.noun_tok)
    return s.text[end:end + 60]


def _subject_possessive(s: Sentence, fig: Figure) -> str | None:
    """'Its five member states promised to field 5,000 troops': its = the previous subject."""
    if _ITS_START.match(s.text) and not any(
            m.end <= fig.start and not m.locative and m.party in lx.STATE_PARTIES for m in s.mentions):
        return s.context.recent_any()
    return None


def _after_from(s: Sentence, fig: Figure) -> str | None:
    """'soldiers from Chad', 'troops of the Malian army'."""
    m = _FROM_OF.match(_after_noun(s, fig)[:40])
    p = party_in(m.group(1)) if m else None
    return p if p in lx.STATE_PARTIES else None


def usable(s: Sentence, m: Mention, fig: Figure | None = None) -> bool:
    """Whether a mention can give a figure its party (not in a relative clause or another figure's phrase)."""
    if any(a <= m.start < b for a, b in s.relative) or (
            "according" in s.folded and _SOURCE.search(s.text[max(0, m.start - 20):m.start])):
        return False  # a relative clause, or a source: "according to U.N. figures"
    return fig is None or not any(o is not fig and o.cls is not None and o.noun_tok < len(s.words)
                                  and o.start <= m.start < s.tok_end(max(o.noun_tok, o.tok1)) for o in s.figures)


def haver(s: Sentence, fig: Figure, located: str = "") -> str | None:
    """The state the sentence names as the actor that has the figure's forces (``located``: instead, the
    state named as a place, "in", "at", "near", or the country of a town of the gazetteer, "place")."""
    cands = [m for m in s.mentions if (m.party in lx.STATE_PARTIES or m.party == "MERCENARY") and usable(s, m, fig)]
    if located:
        located_cands = [m for m in cands if m.locative == located and m.party not in _MULTINATIONAL]
        if located in ("at", "place"):
            located_cands = [m for m in _places(s) if located == "place" or m.locative == "at"]
        return min(located_cands, key=lambda m: abs(m.start - fig.start)).party if located_cands else None
    before = [m for m in cands if m.end <= fig.start and not m.locative]
    if before:
        military = [m for m in before if _MILITARY_AFTER.match(s.text[m.end:m.end + 25])]
        return (military[-1] if len(before) > 1 and military else before[-1]).party
    after = [m for m in cands if m.start >= fig.end and not m.locative
             and not _CLAUSE_BREAK.search(s.text[fig.end:m.start])]
    return after[0].party if after else None


def _places(s: Sentence) -> list[Mention]:
    """Towns and regions of the gazetteer named in the sentence, as the country they lie in."""
    if s.places is None:
        countries, kinds = column("country"), column("kind")
        s.places = []
        for m in find_places(s.text):
            country, kind = countries[m.key], kinds[m.key]
            if isinstance(country, str) and "|" not in country and kind not in ("country", "border"):
                at = _AT.search(s.text[max(0, m.start - 10):m.start])
                s.places.append(Mention(m.start, m.end, country, "at" if at else "in", False))
    return s.places


def _group(s: Sentence, fig: Figure) -> tuple[str, str]:
    groups = [m for m in s.mentions if m.party in _GROUPS]
    if groups:
        return min(groups, key=lambda m: abs(m.start - fig.start)).party, "attacker_group"
    recent = s.context.recent_group()
    return (recent, "context_group") if recent else ("JIHADIST", "attacker_default")


def revise_mixed(s: Sentence) -> None:
    """'Of those, 16 were civilians and three were soldiers': the victims taken for civilians were of mixed sides."""
    low = s.folded.lstrip(" \"'-")
    if ("among them" in low or low.startswith(_BREAKDOWN)) and any(f.party not in (None, "CIVILIAN", "UNKNOWN") for f in s.figures
                                         if f.cls in ("force", "person")):
        for a in s.antecedents:
            if (a.party_rule or "").startswith("civilian_"):
                a.party, a.party_rule = "UNKNOWN", "mixed_sides"


def code_materiel_parties(s: Sentence) -> None:
    """Set the party of materiel figures whose noun phrase names none."""
    for fig in s.figures:
        if fig.cls == "materiel" and not fig.party:
            fig.party, fig.party_rule = _materiel_party(s, fig)


def _materiel_party(s: Sentence, fig: Figure) -> tuple[str, str]:
    siblings = [f for f in s.figures if f is not fig and f.cls == "force" and f.measure == "killed"
                and f.party in lx.STATE_PARTIES]
    if siblings and _ACCIDENT.search(s.text):
        return siblings[0].party, "accident"  # "13 soldiers killed when two helicopters collided"
    agents = _agents(s)
    state = [m for m in s.mentions if not m.locative and id(m) not in agents and m.party in lx.STATE_PARTIES]
    recent = s.context.recent_party()
    fallback = (recent, "context_recent") if recent else ("UNKNOWN", "default")
    if fig.measure == "destroyed":
        if any(m.party == "JIHADIST" and id(m) not in agents for m in s.mentions):
            return "JIHADIST", "destroyed_jihadist"
        agent_parties = {m.party for m in s.mentions if id(m) in agents}
        if agent_parties & lx.STATE_PARTIES:
            return "JIHADIST", "destroyed_by_state"
        if "JIHADIST" in agent_parties:
            return (state[0].party, "destroyed_by_jihadist") if state else fallback
    if state:
        return min(state, key=lambda m: abs(m.start - fig.start)).party, "sentence_actor"
    return fallback


def _agents(s: Sentence) -> set[int]:
    """Mentions that act as the subject of an active destroy/kill verb."""
    agents = set()
    for m in s.mentions:
        after = s.text[m.end:m.end + 60]
        if (_ACTIVE_VERB_AFTER.match(after) and not _PASSIVE_AFTER.match(after)) \
                or _BY_AGENT.search(s.text[max(0, m.start - 40):m.start]):
            agents.add(id(m))
    return agents
