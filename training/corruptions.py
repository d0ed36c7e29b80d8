"""Self-supervised corruptions of real articles, each a weakness the scorer must notice.

Every function takes the article text (title on the first line, one paragraph per
line) and returns a corrupted copy; `strength` (1-3) is how hard it strikes (how many names,
sentences or words: for some, strength + 1, so that the weakest corruption is more than the odd
slip of edited copy that `page_noise` gives every example).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from service.engine.mentions import find_names

from . import generic_bank

FURNITURE_LINES_FR = [
    "Aller au contenu",
    "Partager",
    "Partager sur Facebook",
    "{n} commentaires",
    "Abonnez-vous",
    "Publicité",
    "Télécharger l'application",
    "Réutiliser ce contenu",
    "Source link",
    "Newsletter",
    "Article réservé à nos abonnés",
    "{n}",
    "Lire aussi : {title}",
    "Voir aussi {title}",
    "Dernières actualités",
    "Suivez-nous sur les réseaux sociaux",
    "Tous droits réservés",
    "Lire la suite",
]
LOADED_PREFIXES_FR = [
    "Coup de tonnerre : ",
    "Dans un retournement spectaculaire, ",
    "C'est une véritable bombe : ",
    "Scandale : ",
    "Incroyable mais vrai, ",
    "Dans un geste fracassant, ",
    "Séisme : ",
]
ATTRIBUTION_CLAUSES = re.compile(
    r",? (a|ont|avait|avaient) (déclaré|indiqué|affirmé|précisé|expliqué|ajouté|estimé|souligné|assuré|annoncé|"
    r"confié|raconté|dit|rapporté)[^.;]*|(?:S|s)elon [^,.]+, |, selon [^,.]+|, d'après [^,.]+|D'après [^,.]+, "
    r"|, a-t-(il|elle) (dit|déclaré|ajouté|expliqué|précisé)"
)
SYNONYMS = {
    "a déclaré": "a affirmé",
    "important": "majeur",
    "mardi": "mardi",
    "après": "à la suite de",
    "plusieurs": "de nombreux",
    "environ": "près de",
    "grand": "vaste",
    "nouveau": "récent",
    "également": "aussi",
}


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def sentences_of(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"])", paragraph) if s.strip()]


def generic_filler(text: str, rng: random.Random, strength: int, **_: object) -> str:
    """Strength 1: one vague sentence (which ordinary articles have too); 3: a padded ending."""
    paras = paragraphs(text)
    count = {1: 1, 2: 3, 3: 6}[strength]
    filler = generic_bank.generic_sentences("fr", count, rng.randrange(10**6), "train")
    at = len(paras) if rng.random() < 0.6 else rng.randrange(1, max(2, len(paras)))
    paras.insert(at, " ".join(filler[: (count + 1) // 2]))
    if count > 1:
        paras.append(" ".join(filler[(count + 1) // 2 :]))
    return "\n".join(paras)


def _name_candidates(text: str, shared_names: list[str]) -> list[str]:
    return [n for n in shared_names if n in text and (len(n.split()) > 1 or len(n) >= 6)]


def misspell_names(text: str, rng: random.Random, strength: int, shared_names: list[str], **_: object) -> str:
    """Strength s: s + 1 names misspelled wherever they occur. One slip is the odd slip that
    edited news has too (`page_noise`); careless copy misspells names again and again."""
    candidates = _name_candidates(text, shared_names)
    if len(candidates) < 2:
        return text
    for name in rng.sample(candidates, min(strength + 1, len(candidates))):
        text = text.replace(name, _misspell(name, rng))
    return text


def _misspell(name: str, rng: random.Random) -> str:
    words = name.split()
    k = rng.randrange(len(words))
    for i in sorted({k, rng.randrange(len(words))} if len(words) > 1 else {k}):
        word = words[i]
        if len(word) < 3:
            continue
        pos = rng.randrange(1, len(word))
        ch = word[pos]
        vowels = "aeiou"
        if ch.lower() in vowels:
            repl = rng.choice([v for v in vowels if v != ch.lower()])
        else:
            repl = rng.choice("bcdfgklmnprstvz".replace(ch.lower(), ""))
        words[i] = word[:pos] + repl + word[pos + 1 :]
    return " ".join(words)


def foreign_claims(text: str, rng: random.Random, strength: int, foreign_sentences: list[str], **_: object) -> str:
    paras = paragraphs(text)
    for sentence in rng.sample(foreign_sentences, min(strength + 1, len(foreign_sentences))):
        at = rng.randrange(1, max(2, len(paras)))
        paras[at - 1] = paras[at - 1] + " " + sentence
    return "\n".join(paras)


def furniture(text: str, rng: random.Random, strength: int, other_titles: list[str], **_: object) -> str:
    paras = paragraphs(text)
    for _i in range(strength + 1):
        line = rng.choice(FURNITURE_LINES_FR).format(n=rng.randrange(2, 3000), title=rng.choice(other_titles))
        where = rng.random()
        if where < 0.5:
            paras.append(line)
        elif where < 0.7:
            paras.insert(1, line)
        else:
            paras.insert(rng.randrange(1, max(2, len(paras))), line)
    return "\n".join(paras)


def strip_attribution(text: str, rng: random.Random, strength: int, **_: object) -> str:
    text = ATTRIBUTION_CLAUSES.sub("", text)
    return text.replace("« ", "").replace(" »", "").replace("«", "").replace("»", "").replace('"', "")


def duplicate_paragraphs(text: str, rng: random.Random, strength: int, **_: object) -> str:
    paras = paragraphs(text)
    for _i in range(min(strength, max(1, len(paras) - 1))):
        src = rng.randrange(1, max(2, len(paras)))
        paras.insert(min(len(paras), src + rng.randrange(1, 3)), paras[min(src, len(paras) - 1)])
    return "\n".join(paras)


def _body_paragraph(paras: list[str], rng: random.Random) -> int:
    """A paragraph after the title (the title itself when there is nothing else)."""
    return min(rng.randrange(1, max(2, len(paras))), len(paras) - 1)


def loaded_wording(text: str, rng: random.Random, strength: int, **_: object) -> str:
    paras = paragraphs(text)
    for _i in range(strength + 1):
        i = _body_paragraph(paras, rng)
        paras[i] = rng.choice(LOADED_PREFIXES_FR) + paras[i][:1].lower() + paras[i][1:]
    return "\n".join(paras)


def translation_artefacts(text: str, rng: random.Random, strength: int, **_: object) -> str:
    paras = paragraphs(text)
    for _i in range(strength + 1):
        i = _body_paragraph(paras, rng)
        words = paras[i].split()
        content = [k for k, w in enumerate(words[:-3]) if len(w) >= 5 and w.isalpha()]
        if content:
            k = rng.choice(content)
            words.insert(k + 2, words[k])
            paras[i] = " ".join(words)
    return "\n".join(paras)


def alter_figures(text: str, rng: random.Random, strength: int, **_: object) -> str:
    matches = list(re.finditer(r"\b\d[\d ]*\d\b|\b\d\b", text))
    matches = [m for m in matches if not re.fullmatch(r"(19|20)\d\d", m.group(0))]
    if not matches:
        return text
    for m in sorted(rng.sample(matches, min(strength, len(matches))), key=lambda m: -m.start()):
        value = int(m.group(0).replace(" ", ""))
        new = value * rng.choice([2, 3, 10]) + rng.randrange(1, 9)
        text = text[: m.start()] + str(new) + text[m.end() :]
    return text


def rewrite_of(source_text: str, rng: random.Random) -> str:
    """A derivative: another article's sentences in order, some dropped, lightly reworded."""
    out = []
    for para in paragraphs(source_text):
        kept = [s for s in sentences_of(para) if rng.random() > 0.2]
        if not kept:
            continue
        joined = " ".join(kept)
        for a, b in SYNONYMS.items():
            if rng.random() < 0.5:
                joined = joined.replace(a, b)
        out.append(joined)
    return "\n".join(out) if out else source_text


def heavy_page_defects(text: str, rng: random.Random, strength: int, other_titles: list[str], **_: object) -> str:
    """A page that is mostly noise: many furniture lines, repeated paragraphs, translation slips."""
    text = furniture(text, rng, 8 + 3 * strength, other_titles=other_titles)
    text = duplicate_paragraphs(text, rng, 1 + strength)
    return translation_artefacts(text, rng, 2 + strength)


# About the shares of professional articles (basil-dev and rpm2-fr-dev, 350, model 2026.12-5,
# measured 2026-12-02) with a misspelled-name flag (0.037, most of them real slips) and a
# loaded-wording flag (0.054). Added on top of the slips rpm2's own articles carry (a name slip
# needs a name other outlets write), so clean examples have them somewhat more often than
# professional news: edited news has the odd slip, and one is weak evidence (issue 14).
NAME_SLIP_RATE = 0.04
LOADED_WORD_RATE = 0.05


def page_noise(text: str, rng: random.Random, other_titles: list[str], shared_names: list[str] | None = None) -> str:
    """The ordinary noise of a scraped page and of edited copy (a furniture line, a repeated
    paragraph, a vague sentence, the odd name slip or loaded word), applied to clean and
    corrupted examples alike."""
    candidates = _name_candidates(text, shared_names or [])
    if candidates and rng.random() < NAME_SLIP_RATE:  # one occurrence of one name
        name = rng.choice(candidates)
        text = text.replace(name, _misspell(name, rng), 1)
    if rng.random() < LOADED_WORD_RATE:
        paras = paragraphs(text)
        i = _body_paragraph(paras, rng)
        paras[i] = rng.choice(LOADED_PREFIXES_FR) + paras[i][:1].lower() + paras[i][1:]
        text = "\n".join(paras)
    if rng.random() < 0.6:
        text = furniture(text, rng, rng.randint(0, 6), other_titles=other_titles)
    if rng.random() < 0.15:
        text = duplicate_paragraphs(text, rng, 1)
    if rng.random() < 0.15:
        text = translation_artefacts(text, rng, 0)
    if rng.random() < 0.3:  # ordinary reporting has the odd vague sentence too
        paras = paragraphs(text)
        filler = generic_bank.generic_sentences("fr", 1, rng.randrange(10**6), "train")[0]
        at = rng.randrange(1, max(2, len(paras)))
        paras[min(at, len(paras) - 1)] += " " + filler
        text = "\n".join(paras)
    return text


# What makes an article unreliable; page noise alone does not.
CONTENT_CORRUPTIONS: dict[str, Callable[..., str]] = {
    "generic_filler": generic_filler,
    "misspelled_name": misspell_names,
    "foreign_claims": foreign_claims,
    "strip_attribution": strip_attribution,
    "loaded_wording": loaded_wording,
    "alter_figures": alter_figures,
    "heavy_page_defects": heavy_page_defects,
}


def shared_names(text: str, others: list[str]) -> list[str]:
    """Names of this article that at least two other articles of its story also write."""
    names = {m.text for m in find_names(text.replace("\n", " "), 0, set())}
    return sorted(n for n in names if sum(1 for o in others if n in o) >= 2)
