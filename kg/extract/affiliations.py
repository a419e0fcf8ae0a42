"""Affiliations between the actors of a sentence, read from the dependency path that joins
them.

Why paths: the text says one affiliation in many shapes ("X, a commander of Y", "Y's chief
X", "X is the secretary general of Y", "an insurgency led by X", "Y-backed X", "X receives
support from Y"), but in each the words between the two actors in the parse tree are few
and telling: a post, a piece, a kind of help, a tie. The cue vocabulary is data
(lexicon/affiliation-cues.tsv); what the code knows is grammar: which side of the cue is
the member and which the organization.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from itertools import combinations

from rdflib import Graph, Literal, URIRef

from kg.extract import ActorMention, Context, register
from kg.extract.claims import add_claim, add_unnamed_actor, speaker_of
from kg.extract.gazetteer import load_gazetteer
from kg.extract.reading import Path, Reading, Token, path_between
from kg.namespace import KG
from kg.notations import term
from kg.provenance import Run
from kg.resources import lexicon_entries

VERSION = "14"
# Longest dependency path (in tokens between the two actors) read as one affiliation.
_MAX_PATH = 5
_COPULAS = frozenset({"be", "become", "serve", "remain", "act", "work", "name", "appoint",
                      "play"})
# Verbs through which a subject is what a cue says of it ("X is a unit of Y", "X has
# close ties to Y", "X operates as a wing of Y").
_LINKING = _COPULAS | {"have", "maintain", "keep", "operate", "function", "receive", "get",
                       "pledge", "swear", "declare"}
# Edges by which an owner hangs under the noun of a post or a piece ("Y's wing", "Y unit",
# "wing of Y") or a supporter under a word of help ("Y-backed", "support from Y").
_OWNER_EDGES = frozenset({"poss", "compound", "prep", "pobj", "nmod", "npadvmod", "amod",
                          "agent", "conj", "cc"})
_OWNED_EDGES = frozenset({"nsubj", "nsubjpass", "appos", "attr", "dobj", "conj", "ROOT",
                          "relcl", "acl", "compound"})
# Links into another clause: what lies beyond them is said of someone else.
_CLAUSES = frozenset({"ccomp", "xcomp", "advcl", "relcl", "parataxis", "csubj"})
# Verbs by which the subject gets help ("receives weapons from Iran"); with any other
# verb the subject gives it ("the Quds Force had given KH weapons").
_RECEIVING = frozenset({"receive", "get", "obtain", "accept", "take", "seek"})
# Kinds that only organised actors (not states) enter as the member.
_NOT_STATE_MEMBER = frozenset({"part_of", "splinter_of"})
_NOMINAL = frozenset({"NOUN", "PROPN", "ADP", "ADJ", "DET", "PART", "PRON", "NUM", "PUNCT"})


@dataclass(frozen=True)
class Cue:
    kind: str  # the ontology's notation of the affiliation kind
    how: str  # role, part, support, ally or agent (see the lexicon's header)


@functools.cache
def cues() -> dict[str, tuple[Cue, ...]]:
    table: dict[str, tuple[Cue, ...]] = {}
    for word, kind, how in lexicon_entries("affiliation-cues.tsv"):
        table[word] = table.get(word, ()) + (Cue(kind, how),)
    return table


@dataclass(frozen=True)
class Found:
    kind: str
    member: ActorMention
    organization: ActorMention
    role: str | None
    cue: Token


def _phrase(token: Token) -> str:
    """A post with the words that qualify it: "senior military commander"."""
    words = [c for c in token.children
             if c.dep_ in ("compound", "amod") and c.i < token.i and c.pos_ != "PROPN"]
    return " ".join([*(w.text for w in sorted(words, key=lambda w: w.i)), token.text])


def _cues_of(token: Token) -> tuple[Cue, ...]:
    table = cues()
    compound = [c for c in token.children if c.dep_ == "compound" and c.i < token.i]
    if compound:  # "secretary general", "prime minister"
        key = " ".join([*(c.lower_ for c in compound), token.lower_])
        if key in table:
            return table[key]
    return table.get(token.lemma_.lower(), ()) or table.get(token.lower_, ())


def _inside(token: Token, m: ActorMention) -> bool:
    return bool(m.start <= token.idx < m.end)


def _edge_below(cue: Token, head: Token) -> str | None:
    """The dependency by which the branch holding `head` hangs under `cue`; None when
    `head` is not under `cue`."""
    if head.i == cue.i:
        return None
    child = head
    for ancestor in head.ancestors:
        if ancestor.i == cue.i:
            return str(child.dep_)
        child = ancestor
    return None


def _split(cue: Token, a: tuple[ActorMention, Token], b: tuple[ActorMention, Token]
           ) -> tuple[ActorMention, ActorMention] | None:
    """(owner, owned) around a cue: the owner hangs under it by an owner edge, the owned
    one does not."""
    edge_a, edge_b = _edge_below(cue, a[1]), _edge_below(cue, b[1])
    owner_a = edge_a in _OWNER_EDGES
    owner_b = edge_b in _OWNER_EDGES
    if owner_a == owner_b:
        return None
    return (a[0], b[0]) if owner_a else (b[0], a[0])


def _is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass", "agent") for c in verb.children) or bool(
        verb.tag_ == "VBN" and verb.dep_ in ("amod", "acl"))


def _role_fits(reading: Reading, person: ActorMention, person_head: Token, cue: Token,
               org_head: Token) -> bool:
    """A post belongs to the person when only a copula or "as" stands between them, and
    to the organization when only nouns and prepositions do ("member of Y's bureau")."""
    to_person = path_between(person_head, cue)
    to_org = path_between(cue, org_head)
    if to_person is None or to_org is None:
        return False
    between = [t for t in to_person.tokens if t.i != cue.i]
    as_phrase = any(t.lower_ == "as" for t in between)  # "fought as part of", "joined as"
    if not all(t.lemma_.lower() in _COPULAS or t.lower_ == "as"
               or (as_phrase and t.pos_ == "VERB") for t in between):
        return False  # "X met Hezbollah officials": the officials are not X
    if org_head.dep_ == "poss":
        possessed = org_head.head
        owned = [a for t in (possessed, *(c for c in possessed.children if c.dep_ == "appos"))
                 if (a := reading.actor_of(t)) is not None and a.iri != person.iri]
        if owned:
            return False  # "leader of Iraq's militia Asaib": the post is Asaib's, not Iraq's
    # "played a key role in the Amniyat": the post's own light verb may stand between
    light = cue.head if cue.dep_ == "dobj" and cue.head.lemma_.lower() in _COPULAS else None
    return all(t.pos_ in _NOMINAL or (light is not None and t.i == light.i)
               for t in to_org.tokens if t.i != cue.i)


def _owned_fits(owned: Token, cue: Token) -> bool:
    """The owned or supported actor is the one the cue is said of: it reaches the cue
    through subject, apposition or attribute links, not through a side phrase ("active in
    Iraq") or another clause ("the U.S. believes Iranian-backed militias ...")."""
    path = path_between(owned, cue)
    if path is None:
        return False
    chain = [owned, *path.up[:-1]] if path.up else [owned]
    if not all(t.dep_ in _OWNED_EDGES for t in chain if t.i != cue.i):
        return False
    if any(t.pos_ in ("VERB", "AUX") and t.i != cue.i and t.lemma_.lower() not in _LINKING
           for t in path.up):
        return False  # "X added Y, the second PMF unit": the unit is Y, not X
    return not any(t.dep_ in _CLAUSES for t in path.down)


def _relate(reading: Reading, a: tuple[ActorMention, Token], b: tuple[ActorMention, Token]
            ) -> Found | None:
    path = path_between(a[1], b[1])
    if path is None or len(path) > _MAX_PATH:
        return None
    inner = [t for t in path.tokens if not _inside(t, a[0]) and not _inside(t, b[0])]
    coordinated = {c.i for c in (*a[1].conjuncts, *b[1].conjuncts)}
    if any((m := reading.by_token.get(t.i)) not in (None, a[0], b[0])
           and m is not None and reading.head_of(m).i == t.i
           and t.i not in coordinated for t in inner):
        return None  # another actor stands between them: it is the one related
    people = [m for m in (a, b) if m[0].type == KG.Person]
    opposed = any(t.lower_ in ("against", "versus") for t in inner)
    candidates = list(inner)
    for t in inner:  # a cue may qualify a noun of the path ("its splinter group") or be
        # the object of its verb ("receives funds from Iran")
        candidates += [c for c in t.children if c not in inner and (
            c.dep_ in ("amod", "compound") or (c.dep_ == "dobj" and t.pos_ == "VERB"))
            and not _inside(c, a[0]) and not _inside(c, b[0])]
    for end in (a, b):  # a post before a name: "Asaib's chief Qais Khazali"
        candidates += [c for c in end[1].children if c.dep_ in ("amod", "compound")
                       and not _inside(c, a[0]) and not _inside(c, b[0]) and c not in candidates]
    for token in candidates:
        for cue in _cues_of(token):
            if opposed and cue.how in ("ally", "support"):
                continue  # "cooperating with the government against ISIS"
            found = _apply(reading, cue, token, path, a, b, people)
            if found is not None:
                return found
    if [t.lower_ for t in inner] == ["of"] and not people:
        # "the Quds Force of Iran's IRGC": a body of a body
        of = inner[0]
        whole, unit = (b, a) if of.head.i == a[1].i else (a, b) if of.head.i == b[1].i else (
            None, None)
        if (whole is not None and unit is not None and unit[0].type != KG.State
                and not any(c.dep_ == "case" for c in whole[1].children)):
            return Found("part_of", unit[0], whole[0], None, of)
    if not inner and not people and {a[1].dep_, b[1].dep_} & {"poss"}:
        owner, owned = (a, b) if a[1].dep_ == "poss" else (b, a)
        # "Iran's IRGC" is a body of the state; "Yemen's Houthis" only are in it
        located = owner[0].type == KG.State and owned[0].type != KG.GovernmentBody
        if owned[0].type != KG.State and owner[1].head.i == owned[1].i and not located:
            return Found("part_of", owned[0], owner[0], None, owned[1])
    return None


def _definite(post: Token) -> bool:
    """ "the commander of Y", "Y commander X": one post, the head of it; "a commander",
    "commanders" are among several."""
    if post.tag_ in ("NNS", "NNPS"):
        return False
    return not any(c.dep_ == "det" and c.lower_ in ("a", "an", "one") for c in post.children)


def _head(m: ActorMention, a: tuple[ActorMention, Token], b: tuple[ActorMention, Token]
          ) -> Token:
    return a[1] if m is a[0] else b[1]


def _help_verb(kind: str, cue: Token, a: tuple[ActorMention, Token],
               b: tuple[ActorMention, Token]) -> Found | None:
    """Help that is the object of a verb: "X receives funds from Y" (the subject takes,
    the "from" phrase gives), "Y had given X weapons" (the subject gives, the dative or
    "to" phrase takes)."""
    verb = cue.head
    receiving = verb.lemma_.lower() in _RECEIVING
    subject = [m for m in (a, b) if _edge_below(verb, m[1]) == "nsubj"]
    if receiving:
        # "support from Y", or "American support", "Iran's funding"
        other = [m for m in (a, b) if _through(verb, m[1], {"from"})
                 or (m[1].head.i == cue.i and m[1].dep_ in ("amod", "compound", "poss"))]
    else:
        other = [m for m in (a, b) if _edge_below(verb, m[1]) == "dative"
                 or _through(verb, m[1], {"to", "for"})]
    if len(subject) != 1 or len(other) != 1 or subject[0] is other[0]:
        return None
    if receiving:
        return Found(kind, subject[0][0], other[0][0], None, cue)
    return Found(kind, other[0][0], subject[0][0], None, cue)


def _with_help(kind: str, cue: Token, a: tuple[ActorMention, Token],
               b: tuple[ActorMention, Token]) -> Found | None:
    """ "X fought the Soviets with support from Y": the subject of the verb the help
    comes with is helped, by the one the help is from (or of)."""
    verb = cue.head.head
    taker = [m for m in (a, b) if m[1].dep_ == "nsubj" and m[1].head.i == verb.i]
    giver = [m for m in (a, b) if _through(cue, m[1], {"from", "of"})
             or (m[1].head.i == cue.i and m[1].dep_ in ("amod", "compound", "poss"))]
    if len(taker) != 1 or len(giver) != 1 or taker[0] is giver[0]:
        return None
    return Found(kind, taker[0][0], giver[0][0], None, cue)


def _through(top: Token, head: Token, preps: set[str]) -> bool:
    """Whether `head` hangs under `top` through one of the prepositions `preps`."""
    for t in head.ancestors:
        if t.i == top.i:
            return False
        if t.dep_ == "prep" and t.lower_ in preps:
            return True
        if t.dep_ in _CLAUSES or t.dep_ == "conj":
            return False  # beyond another clause: "..., describing X as an adviser to Y"
    return False


def _owned_by(kind: str, around: Token, cue: Token, a: tuple[ActorMention, Token],
              b: tuple[ActorMention, Token]) -> Found | None:
    """The owned (or supported) actor and its owner (or supporter), split around a word:
    the owner hangs under it ("Y's wing", "Y-backed"), the owned is what it is said of."""
    split = _split(around, a, b)
    if split is None:
        return None
    owner, owned = split
    if not _owned_fits(_head(owned, a, b), around):
        return None
    owner_head = _head(owner, a, b)
    if owner_head.dep_ == "poss" and owner_head.head.i != around.i:
        return None  # "an arm of Pakistan's ISI": the ISI's owner is not the owner
    return Found(kind, owned, owner, None, cue)


def _apply(reading: Reading, cue: Cue, token: Token, path: Path, a: tuple[ActorMention, Token],
           b: tuple[ActorMention, Token], people: list[tuple[ActorMention, Token]]
           ) -> Found | None:
    noun = token.head if token not in path.tokens else token
    if cue.how in ("role", "post"):
        if len(people) != 1 or token.pos_ not in ("NOUN", "PROPN", "ADJ"):
            return None
        person = people[0]
        other = b if person is a else a
        if not _role_fits(reading, person[0], person[1], token, other[1]):
            return None
        if other[0].type == KG.State and any(
            (m := reading.actor_of(c)) is not None and m.type not in (KG.State, KG.Person)
            for c in token.children if c.dep_ in ("compound", "nmod", "poss")
        ):
            return None  # "Iraqi PMF leader X" leads the PMF, not Iraq
        # a state's commander is one of its officers, not its head
        kind = cue.kind if cue.how == "role" or (
            _definite(token) and other[0].type != KG.State) else "member"
        return Found(kind, person[0], other[0], _phrase(token), token)
    if people and cue.how == "part" and len(people) == 1:
        # "X fought as part of the Mahdi army": a person in a piece of it is a member
        person = people[0]
        other = b if person is a else a
        if token.lemma_.lower() == "part" and _role_fits(reading, person[0], person[1], token,
                                                          other[1]):
            return Found("member", person[0], other[0], None, token)
        return None
    if people and cue.how not in ("agent", "support"):
        return None
    if cue.how == "part":
        return _owned_by(cue.kind, noun, token, a, b)
    if cue.how == "support":
        if token.dep_ == "dobj" and token.head.pos_ == "VERB":
            return _help_verb(cue.kind, token, a, b)
        if token.dep_ == "pobj" and token.head.lower_ == "with" and token.head.head.pos_ == "VERB":
            return _with_help(cue.kind, token, a, b)
        if people:
            return None  # a person is helped only as a verb says ("X received support")
        if token.pos_ == "VERB" and not _is_passive(token):
            subject = [m for m in (a, b) if _edge_below(token, m[1]) in ("nsubj",)]
            if len(subject) != 1:
                return None
            supporter = subject[0][0]
            receiver = b[0] if subject[0] is a else a[0]
            return Found(cue.kind, receiver, supporter, None, token)
        return _owned_by(cue.kind, token, token, a, b)
    if cue.how == "ally":
        # "X has close ties to Y", "X cooperates with Y", "X, an ally of Y": one side is
        # what the word is said of, the other hangs under it
        split = _owned_by(cue.kind, noun, token, a, b)
        if split is None:
            return None
        first, second = sorted((split.member, split.organization), key=lambda m: m.start)
        return Found(cue.kind, first, second, None, token)
    if cue.how == "agent" and token.pos_ == "VERB" and not _is_passive(token):
        # "Jalaluddin Haqqani founded the network", "X leads Y"
        subjects = [m for m in (a, b) if m[0].type == KG.Person
                    and m[1].dep_ == "nsubj" and m[1].head.i == token.i]
        objects = [m for m in (a, b) if m[0].type != KG.Person
                   and m[1].dep_ == "dobj" and m[1].head.i == token.i]
        if len(subjects) == 1 and len(objects) == 1:
            return Found(cue.kind, subjects[0][0], objects[0][0], None, token)
        return None
    if cue.how == "agent" and token.pos_ == "VERB" and _is_passive(token):
        leaders = [m for m in (a, b) if m[0].type == KG.Person
                   and _edge_below(token, m[1]) == "agent"]
        if len(leaders) != 1:
            return None
        led = b[0] if leaders[0] is a else a[0]
        led_head = _head(led, a, b)
        noun = token.head
        modified = noun.i == led_head.i or (
            noun.dep_ == "appos" and noun.head.i == led_head.i) or (
            # "Boko Haram has waged an insurgency led by X"
            noun.dep_ == "dobj" and led_head.dep_ == "nsubj" and led_head.head.i == noun.head.i)
        if led.type == KG.Person or not (
            modified or _edge_below(token, led_head) == "nsubjpass"
        ):
            return None  # "led by X across Nigeria": Nigeria is where, not what, X leads
        return Found(cue.kind, leaders[0][0], led, None, token)
    return None


@functools.cache
def offices() -> dict[str, tuple[str, str]]:
    return {title: (body, kind) for title, body, kind in lexicon_entries("offices.tsv")}


def _office_around(reading: Reading, person: ActorMention) -> Found | None:
    """An office title right before a name ("Secretary of State Mike Pompeo") or in
    apposition right after it ("Michael R. Pompeo, Secretary of State")."""
    line = reading.text[max(0, person.start - 60) : person.start].rsplit("\n", 1)[-1]
    before = " ".join(line.lower().replace(".", "").split())
    line = reading.text[person.end : person.end + 60].split("\n", 1)[0]
    after = " ".join(line.lower().replace(".", "").split())
    for title in sorted(offices(), key=len, reverse=True):
        if _ends_with_word(before, title) or _apposition(after, title):
            body, kind = offices()[title]
            known = next(iter(load_gazetteer().lookup(body)), None)
            if known is None:
                return None
            head = reading.doc.char_span(person.start, person.end, alignment_mode="expand").root
            organization = ActorMention(person.start, person.start, known.iri, known.type)
            return Found(kind, person, organization, title, head)
    return None


def _ends_with_word(text: str, title: str) -> bool:
    return text.endswith(title) and (len(text) == len(title)
                                     or not text[-len(title) - 1].isalnum())


def _apposition(after: str, title: str) -> bool:
    """`after` (what follows a name) is ", [the] TITLE" ending there or at punctuation."""
    for lead in (", ", ", the "):
        if after.startswith(lead + title):
            rest = after[len(lead) + len(title):]
            return not rest or not (rest[0].isalnum() or rest.startswith((" of", " for")))
    return False


def _sensible(found: Found) -> bool:
    """A state is no unit or splinter of anything, and nothing splits off a state."""
    if found.kind in _NOT_STATE_MEMBER and found.member.type == KG.State:
        return False
    return not (found.kind == "splinter_of" and found.organization.type == KG.State)


def _included(reading: Reading, verb: Token) -> list[Found]:
    """ "The PMF includes X", "Organizations in PMF ... include X, Y and Z": each listed
    actor is a part (a person, a member) of the subject or of what the subject is in."""
    subjects = [c for c in verb.children if c.dep_ == "nsubj"]
    objects = [c for c in verb.children if c.dep_ == "dobj"]
    if len(subjects) != 1 or not objects:
        return []
    subject = subjects[0]
    whole = reading.actor_of(subject)
    if whole is None:
        wholes = [a for c in subject.children if c.dep_ == "prep" and c.lower_ in ("in", "of",
                                                                                    "within")
                  for g in c.children for a in reading.named_by(g)]
        whole = wholes[0] if len(wholes) == 1 else None
    if whole is None or whole.type == KG.Person:
        return []
    found = []
    for part in (a for o in objects for a in reading.named_by(o)):
        if part.iri != whole.iri and part.type != KG.State:
            kind = "member" if part.type == KG.Person else "part_of"
            found.append(Found(kind, part, whole, None, verb))
    return found


def find_affiliations(reading: Reading) -> list[tuple[Found, object]]:
    """Every affiliation read in the document, with the sentence it was read from."""
    found: list[tuple[Found, object]] = []
    for sent in reading.sentences:
        for token in sent:
            if token.pos_ == "VERB" and any(c.how == "include" for c in _cues_of(token)):
                found.extend((f, sent) for f in _included(reading, token))
        for m, _ in reading.mentions_in(sent):
            if m.type == KG.Person and (office := _office_around(reading, m)) is not None:
                found.append((office, sent))
        mentions = reading.mentions_in(sent)
        for a, b in combinations(mentions, 2):
            if a[0].iri == b[0].iri:
                continue
            relation = _relate(reading, a, b)
            if relation is not None and _sensible(relation):
                found.append((relation, sent))
    return found


@register("kg.extract.affiliations", version=VERSION, assigns=(KG.Affiliation,))
def extract_affiliations(context: Context, run: Run) -> Graph:
    """Affiliations between the document's actors, each citing its sentence."""
    reading: Reading = context.reading
    graph = Graph()
    roles: set[URIRef] = set()
    for found, sent in find_affiliations(reading):
        key = (found.member.iri, found.kind, found.organization.iri)
        # A post or a piece named in passing ("US President Donald Trump's decision") is
        # the writer's description even inside reported speech; only an affiliation that
        # the reported clause asserts ("it had pledged allegiance", "receives funds")
        # is the speaker's.
        asserted = found.cue.pos_ in ("VERB", "AUX") or found.cue.dep_ in (
            "dobj", "attr", "acomp", "ROOT", "ccomp") or (
            found.cue.dep_ == "pobj" and found.cue.head.lower_ == "as")  # "acted as an arm"
        speaker = speaker_of(reading, found.cue) if asserted else None
        if speaker is not None and speaker.iri in (found.member.iri, found.organization.iri):
            speaker = None  # a party declaring its own tie ("it had pledged allegiance")
        claim = add_claim(graph, run, reading, KG.Affiliation, key, sent, speaker)
        for actor in (found.member, found.organization):
            add_unnamed_actor(graph, context, actor)
        graph.add((claim, KG.member, found.member.iri))
        graph.add((claim, KG.organization, found.organization.iri))
        graph.add((claim, KG.affiliationKind, term(found.kind)))
        if found.role and claim not in roles:
            roles.add(claim)
            graph.add((claim, KG.role, Literal(found.role)))
    return graph
