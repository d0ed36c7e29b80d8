"""Synthetic French and English training sentences for the "generic assertion" classifier.

Why this module exists
----------------------
The service flags *generic assertions*: sentences in a news article that assert nothing
checkable (no entity, figure or date of their own, only stock phrasing such as "this marks a
turning point"). The five seed articles hold only a handful of such sentences, far too few to
train a sentence classifier, and they are also the evaluation material, so they must not leak
into training. This module therefore writes its own sentences, combinatorially, from
hand-written template parts. No sentence, and no long phrase, is taken from the project's seed
articles (``shared/seeds/*.txt``); the wording here was written independently.

Two kinds of sentences are produced:

* :func:`generic_sentences` - positives (label "generic"). Shapes:

  - ``[opener] subject predicate [complement].`` e.g. "Par ailleurs, ce programme redessine
    les équilibres à plusieurs égards." French subjects carry a grammatical gender tag and
    gendered predicates are stored as (masculine, feminine) pairs, so agreement is correct.
  - whole-sentence patterns of other shapes: vague attribution wrapped around a core clause
    ("Selon plusieurs analystes, ..."), rhetorical closings about a noun phrase ("Reste à savoir
    si ... portera ses fruits", "Only time will tell whether ..."), and fixed evaluative filler
    ("Le débat est loin d'être clos").

* :func:`specific_distractors` - hard negatives (label "specific"). They reuse the same openers,
  subjects and stock predicates but carry checkable content: an (invented) named person or
  organisation, a figure, a date or a place. They teach the classifier that it is the presence
  of entities, figures and dates that matters, not the opener or the stock verb.

Train/test split of the template parts
--------------------------------------
``generic_sentences(..., split="test")`` must measure generalisation to *unseen phrasing*, so the
parts are partitioned deterministically by position: every 5th predicate, complement and
whole-sentence pattern (index ``i % 5 == 4`` in the lists below) belongs to the test split
only; the others belong to the train split only. Subjects and openers are shared by both splits
(they are a small closed class of stock words, and the distractors use them too). Every
combinatorial test sentence contains a held-out predicate and every pattern-based test sentence
uses a held-out pattern, so train and test share no sentence.

Everything is deterministic: the same (language, n, seed, split) always gives the same list.
Standard library only.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from typing import Final, NamedTuple, TypeVar

__all__ = [
    "LANGUAGES",
    "SPLITS",
    "count_available",
    "generic_sentences",
    "iter_generic_sentences",
    "specific_distractors",
]

LANGUAGES: Final[tuple[str, ...]] = ("fr", "en")
SPLITS: Final[tuple[str, ...]] = ("train", "test")

_T = TypeVar("_T")

_TEST_EVERY: Final[int] = 5  # every 5th part (index % 5 == 4) is held out for the test split

# A subject is (text, gender); gender is "m" or "f" in French, "n" in English.
Subject = tuple[str, str]
# A predicate is either gender-neutral text or a (masculine, feminine) pair.
Predicate = str | tuple[str, str]


class _Bank(NamedTuple):
    subjects: tuple[Subject, ...]
    predicates: tuple[Predicate, ...]
    complements: tuple[str, ...]
    openers: tuple[str, ...]
    patterns: tuple[str, ...]  # slots: {core} = subject + predicate [+ complement], {np} = subject


# ---------------------------------------------------------------------------------------------
# French parts
# ---------------------------------------------------------------------------------------------

_FR_SUBJECTS: Final[tuple[Subject, ...]] = (
    ("Cet accord", "m"),
    ("Cette initiative", "f"),
    ("Ce partenariat", "m"),
    ("La décision", "f"),
    ("Cette alliance", "f"),
    ("Le projet", "m"),
    ("Ce rapprochement", "m"),
    ("Cette réforme", "f"),
    ("Ce texte", "m"),
    ("Cette démarche", "f"),
    ("Cet engagement", "m"),
    ("Cette annonce", "f"),
    ("Ce choix", "m"),
    ("La coopération", "f"),
    ("Ce programme", "m"),
    ("Cette évolution", "f"),
    ("Ce dispositif", "m"),
    ("Cette mesure", "f"),
    ("Cet événement", "m"),
    ("Cette rencontre", "f"),
    ("Ce compromis", "m"),
    ("La signature", "f"),
    ("Ce changement", "m"),
    ("Cette orientation", "f"),
    ("Ce plan", "m"),
    ("Cette stratégie", "f"),
    ("Le dialogue engagé", "m"),
    ("La collaboration", "f"),
    ("Ce tournant", "m"),
    ("Cette dynamique", "f"),
    ("Ce nouveau cadre", "m"),
    ("Cette approche", "f"),
    ("Cet effort", "m"),
    ("Cette entente", "f"),
    ("Le processus en cours", "m"),
    ("Cette convergence", "f"),
    ("Ce geste", "m"),
    ("La démarche engagée", "f"),
    ("Ce développement", "m"),
    ("Cette volonté partagée", "f"),
    ("Le chantier ouvert", "m"),
    ("Cette transition", "f"),
)

_FR_PREDICATES: Final[tuple[Predicate, ...]] = (
    "marque une étape importante",
    "ouvre de nouvelles perspectives",
    "traduit une ambition partagée",
    "suscite des réactions contrastées",
    "soulève de nombreuses questions",
    "constitue un tournant majeur",
    "représente un signal fort",
    "s'inscrit dans une dynamique plus large",
    "illustre une tendance de fond",
    "reflète des enjeux considérables",
    "traduit une ambition partagée",
    "pose les bases d'une relation renouvelée",
    "change la donne",
    "redessine les équilibres",
    "fait l'objet de nombreux débats",
    "nourrit de vives inquiétudes",
    "alimente les spéculations",
    "relance le débat",
    "crée un précédent",
    "envoie un message clair",
    "pourrait avoir des conséquences durables",
    ("s'annonce déterminant", "s'annonce déterminante"),
    "suscite autant d'espoirs que de craintes",
    "répond à des attentes fortes",
    "ouvre la voie à des changements profonds",
    "renforce les liens existants",
    "redéfinit les priorités",
    "s'impose comme une référence",
    "illustre la complexité des enjeux",
    ("est jugé prometteur", "est jugée prometteuse"),
    "mérite une attention particulière",
    "appelle à la vigilance",
    "comporte des risques non négligeables",
    "offre des opportunités inédites",
    "fait naître de grandes attentes",
    "dessine un horizon nouveau",
    "bouscule les habitudes",
    "reste au cœur des discussions",
    "marque un changement de cap",
    ("apparaît décisif", "apparaît décisive"),
    "donne un nouvel élan",
    "consacre une évolution attendue",
    "pose de réels défis",
    "soulève des interrogations légitimes",
    "laisse entrevoir des progrès",
    "participe à une transformation plus vaste",
    "interroge sur les orientations futures",
    "engage une nouvelle phase",
    "recueille un large soutien",
    ("reste porteur d'espoir", "reste porteuse d'espoir"),
    "divise les observateurs",
    "apparaît comme une réponse adaptée",
    "concrétise une ambition ancienne",
    "jette les bases d'un avenir commun",
    "symbolise un renouveau",
    "ravive les tensions",
    "fait figure de test",
    "revêt une dimension symbolique",
    "conforte une tendance déjà observée",
    ("est considéré comme historique", "est considérée comme historique"),
    "s'avère riche d'enseignements",
    "demeure fragile",
    ("se révèle essentiel", "se révèle essentielle"),
    "souligne l'ampleur de la tâche",
    ("reste très attendu", "reste très attendue"),
    "rappelle la nécessité du dialogue",
    ("se veut ambitieux", "se veut ambitieuse"),
    "fait bouger les lignes",
    ("est perçu comme un signal positif", "est perçue comme un signal positif"),
    "ne laisse personne indifférent",
)

_FR_COMPLEMENTS: Final[tuple[str, ...]] = (
    "pour l'avenir de la région",
    "dans de nombreux domaines",
    "sur la scène internationale",
    "à plus d'un titre",
    "sur le long terme",
    "pour les années à venir",
    "dans le contexte actuel",
    "à l'échelle mondiale",
    "à bien des égards",
    "pour l'ensemble des acteurs concernés",
    "dans un contexte en pleine mutation",
    "au-delà des frontières",
    "pour les générations futures",
    "dans un environnement incertain",
    "sur plusieurs plans",
    "à court comme à long terme",
    "aux yeux de nombreux observateurs",
    "dans le climat actuel",
    "pour la suite des événements",
    "dans un climat de grande incertitude",
    "en matière de coopération",
    "sur le plan économique",
    "sur le plan diplomatique",
    "sur le plan politique",
    "sur le plan social",
    "dans plusieurs secteurs clés",
    "à ce stade",
    "pour les parties prenantes",
    "pour les mois à venir",
    "à moyen terme",
    "à tous les niveaux",
    "pour l'ensemble du secteur",
    "dans un contexte tendu",
    "à un moment charnière",
    "face aux défis actuels",
    "au regard des enjeux",
    "pour la population",
    "pour les acteurs locaux",
    "à l'échelle régionale",
    "à l'échelle nationale",
    "dans un paysage en recomposition",
    "à plusieurs égards",
)

_FR_OPENERS: Final[tuple[str, ...]] = (
    "En conclusion,",
    "Par ailleurs,",
    "Dans ce contexte,",
    "Ainsi,",
    "Il convient de noter que",
    "De plus,",
    "En outre,",
    "Force est de constater que",
    "Il est indéniable que",
    "Il faut souligner que",
    "Au final,",
    "En définitive,",
    "Dans cette perspective,",
    "À cet égard,",
    "De toute évidence,",
    "Sans aucun doute,",
    "En effet,",
    "Il apparaît clairement que",
    "Plus largement,",
    "Dans l'ensemble,",
    "Autrement dit,",
    "Il ne fait aucun doute que",
    "Quoi qu'il en soit,",
    "Somme toute,",
)

_FR_PATTERNS: Final[tuple[str, ...]] = (
    "Certains observateurs estiment que {core}.",
    "De nombreux experts considèrent que {core}.",
    "Selon plusieurs analystes, {core}.",
    "Pour beaucoup, {core}.",
    "D'aucuns affirment que {core}.",
    "Beaucoup s'accordent à penser que {core}.",
    "Aux yeux de nombreux commentateurs, {core}.",
    "Nombreux sont ceux qui pensent que {core}.",
    "Tout porte à croire que {core}.",
    "Une chose est sûre : {core}.",
    "Reste à savoir si {np} tiendra ses promesses.",
    "Reste à savoir si {np} portera ses fruits.",
    "Seul l'avenir dira si {np} répondra aux attentes.",
    "Les prochains mois seront décisifs pour {np}.",
    "Nul ne sait encore quelle portée aura {np}.",
    "Il est encore trop tôt pour dire ce que changera {np}.",
    "Les avis restent partagés sur {np}.",
    "Beaucoup dépendra de la façon dont {np} évoluera.",
    "Personne ne peut prédire avec certitude où mènera {np}.",
    "Les observateurs s'interrogent sur les suites que connaîtra {np}.",
    "La situation demeure complexe et mouvante.",
    "Le contexte reste incertain à bien des égards.",
    "Les enjeux dépassent largement le cadre actuel.",
    "L'avenir reste plus que jamais ouvert.",
    "Rien n'est encore joué.",
    "Le débat est loin d'être clos.",
    "Beaucoup reste à faire.",
    "Les défis à relever demeurent nombreux.",
    "La prudence reste de mise.",
    "Il faudra du temps pour en mesurer pleinement les effets.",
    "Les prochaines semaines apporteront sans doute des éclaircissements.",
    "Chacun y voit ce qu'il veut y voir.",
    "Le chemin à parcourir reste long.",
    "Il y a fort à parier que {core}.",
    "À en croire certains spécialistes, {core}.",
    "Les questions en suspens restent nombreuses.",
    "Dans les milieux informés, on estime que {core}.",
)

# ---------------------------------------------------------------------------------------------
# English parts
# ---------------------------------------------------------------------------------------------

_EN_SUBJECTS: Final[tuple[Subject, ...]] = tuple(
    (text, "n")
    for text in (
        "This agreement",
        "This initiative",
        "This partnership",
        "The decision",
        "This alliance",
        "The project",
        "This move",
        "This step",
        "The deal",
        "This development",
        "This announcement",
        "The reform",
        "This approach",
        "This shift",
        "This commitment",
        "The plan",
        "This measure",
        "The new framework",
        "This rapprochement",
        "This strategy",
        "This cooperation",
        "The process under way",
        "The signing",
        "This policy",
        "This effort",
        "This compromise",
        "This outcome",
        "The latest move",
        "This gesture",
        "This collaboration",
        "This transition",
        "The programme",
        "This proposal",
        "The arrangement",
        "This undertaking",
        "This joint effort",
        "This change of course",
        "The dialogue",
        "This turn of events",
        "This pact",
        "The accord",
        "This new direction",
    )
)

_EN_PREDICATES: Final[tuple[Predicate, ...]] = (
    "marks a turning point",
    "marks an important step",
    "opens up new prospects",
    "reflects a shared determination",
    "draws mixed reactions",
    "raises many questions",
    "represents a significant milestone",
    "sends a strong signal",
    "is part of a broader trend",
    "reflects considerable stakes",
    "lays the groundwork for a renewed relationship",
    "changes the game",
    "reshapes the balance of power",
    "remains the subject of much debate",
    "fuels growing concern",
    "fuels speculation",
    "reopens the debate",
    "sets a precedent",
    "sends a clear message",
    "could have lasting consequences",
    "promises to be decisive",
    "raises both hopes and fears",
    "meets strong expectations",
    "paves the way for far-reaching change",
    "strengthens existing ties",
    "redefines priorities",
    "stands out as a benchmark",
    "illustrates the complexity of the issues",
    "is here to stay",
    "deserves close attention",
    "calls for vigilance",
    "carries significant risks",
    "offers unprecedented opportunities",
    "raises high expectations",
    "points to a new horizon",
    "challenges old habits",
    "remains at the heart of the discussions",
    "signals a change of direction",
    "gives fresh momentum",
    "confirms a long-awaited shift",
    "poses real challenges",
    "raises legitimate questions",
    "hints at further progress",
    "is part of a wider transformation",
    "raises questions about the way forward",
    "opens a new chapter",
    "enjoys broad support",
    "divides observers",
    "appears to be a fitting response",
    "fulfils a long-held ambition",
    "lays the foundations for a shared future",
    "symbolises a renewal",
    "rekindles tensions",
    "serves as a test case",
    "carries symbolic weight",
    "confirms a trend already under way",
    "proves instructive",
    "remains fragile",
    "is widely seen as historic",
    "is seen as a positive signal",
    "remains eagerly awaited",
    "is considered promising",
    "could prove decisive",
    "underscores the scale of the task",
    "highlights the need for dialogue",
    "shifts the lines",
    "leaves no one indifferent",
    "breathes new life into the debate",
)

_EN_COMPLEMENTS: Final[tuple[str, ...]] = (
    "for the future of the region",
    "in many areas",
    "on the international stage",
    "in more ways than one",
    "in the long run",
    "for years to come",
    "in the current context",
    "on a global scale",
    "in many respects",
    "for all the stakeholders involved",
    "in a rapidly changing landscape",
    "beyond borders",
    "for future generations",
    "in an uncertain environment",
    "on several levels",
    "in both the short and the long term",
    "in the eyes of many observers",
    "in today's climate",
    "for what comes next",
    "amid deep uncertainty",
    "in terms of cooperation",
    "on the economic front",
    "on the diplomatic front",
    "on the political front",
    "on the social front",
    "across several key sectors",
    "at this stage",
    "for the parties concerned",
    "over the coming months",
    "in the medium term",
    "at every level",
    "for the sector as a whole",
    "in a tense climate",
    "at a pivotal time",
    "in the face of current challenges",
    "given the stakes at hand",
    "for ordinary citizens",
    "for local actors",
    "at the regional level",
    "at the national level",
    "in a shifting landscape",
    "in several respects",
)

_EN_OPENERS: Final[tuple[str, ...]] = (
    "In conclusion,",
    "Moreover,",
    "In this context,",
    "Thus,",
    "It should be noted that",
    "Furthermore,",
    "In addition,",
    "It is clear that",
    "It is undeniable that",
    "It is worth stressing that",
    "Ultimately,",
    "All in all,",
    "In this respect,",
    "Clearly,",
    "Without a doubt,",
    "Indeed,",
    "Overall,",
    "In other words,",
    "There is no doubt that",
    "Either way,",
    "At the end of the day,",
    "More broadly,",
    "Needless to say,",
    "To sum up,",
)

_EN_PATTERNS: Final[tuple[str, ...]] = (
    "Some analysts believe that {core}.",
    "Many experts agree that {core}.",
    "According to several observers, {core}.",
    "For many, {core}.",
    "Some argue that {core}.",
    "Most commentators seem to agree that {core}.",
    "In the eyes of many, {core}.",
    "There are many who think that {core}.",
    "Everything suggests that {core}.",
    "One thing is certain: {core}.",
    "Only time will tell whether {np} will deliver on its promises.",
    "It remains to be seen whether {np} will bear fruit.",
    "Whether {np} will live up to expectations remains an open question.",
    "The coming months will be decisive for {np}.",
    "No one yet knows what lasting impact {np} will have.",
    "It is still too early to say what {np} will change.",
    "Opinions remain divided over {np}.",
    "Much will depend on how {np} evolves.",
    "Nobody can predict with certainty where {np} will lead.",
    "Observers are wondering what will come of {np}.",
    "The situation remains complex and fluid.",
    "The context remains uncertain in many respects.",
    "The stakes go well beyond the current framework.",
    "The future remains more open than ever.",
    "Nothing has been settled yet.",
    "The debate is far from over.",
    "Much remains to be done.",
    "The challenges ahead remain numerous.",
    "Caution is still called for.",
    "It will take time to measure the full effects.",
    "The coming weeks should bring some clarity.",
    "Everyone sees in it what they want to see.",
    "There is still a long way to go.",
    "There is every reason to think that {core}.",
    "If some specialists are to be believed, {core}.",
    "Many questions remain unanswered.",
    "In informed circles, it is thought that {core}.",
)

_BANKS: Final[dict[str, _Bank]] = {
    "fr": _Bank(_FR_SUBJECTS, _FR_PREDICATES, _FR_COMPLEMENTS, _FR_OPENERS, _FR_PATTERNS),
    "en": _Bank(_EN_SUBJECTS, _EN_PREDICATES, _EN_COMPLEMENTS, _EN_OPENERS, _EN_PATTERNS),
}

# ---------------------------------------------------------------------------------------------
# Distractor parts (all names are invented; the cities are real but no claim about them is real)
# ---------------------------------------------------------------------------------------------

_FR_ACTORS: Final[tuple[str, ...]] = (
    "le conseil municipal de Lyon",
    "la mairie de Nantes",
    "la société Norvalis",
    "le groupe Ardentis",
    "l'agence Veltria",
    "la ministre Claire Vautrin",
    "le préfet Henri Castaing",
    "la députée Sophie Marquet",
    "l'économiste Paul Garnier",
    "la fondation Orsenne",
    "le syndicat Solvane",
    "le laboratoire Cytelis",
    "la start-up Kelvora",
    "le cabinet Morand et Associés",
    "Élodie Ferrand, directrice de l'agence Veltria",
    "Marc Delorme, maire de Valbrune",
    "la banque Arvelle",
    "la compagnie Skylane",
    "l'association Terres Vives",
    "le conseil régional de Bretagne",
    "Julien Ravier, président du groupe Ardentis",
    "Inès Benali, porte-parole de la fondation Orsenne",
    "l'institut Merval",
    "la coopérative Vallonne",
)

_FR_ACTIONS: Final[tuple[str, ...]] = (
    "a voté un budget de {amount}",
    "a annoncé {count} suppressions de postes",
    "a signé un contrat de {amount} avec la société Brenval",
    "a recruté {count} agents",
    "a ouvert {count} nouvelles places en crèche",
    "a relevé ses tarifs de {pct}",
    "a enregistré une hausse de {pct} de son chiffre d'affaires",
    "a débloqué {amount} pour rénover {count} logements",
    "a levé {amount} auprès de {small} investisseurs",
    "a publié un rapport de {small} pages",
    "a confirmé la fermeture de {small} sites",
    "a chiffré le coût du chantier à {amount}",
    "a annoncé une baisse de {pct} des émissions",
    "a racheté {small} agences pour {amount}",
    "a distribué {count} repas",
    "a marqué une étape importante en livrant {count} logements",
    "a ouvert de nouvelles perspectives en investissant {amount}",
)

_FR_PLACES: Final[tuple[str, ...]] = (
    "Lyon",
    "Nantes",
    "Rennes",
    "Toulouse",
    "Grenoble",
    "Lille",
    "Brest",
    "Dijon",
    "Montpellier",
    "Strasbourg",
    "Limoges",
    "Angers",
    "Bordeaux",
    "Valbrune",
    "Tours",
    "Metz",
)

_FR_MONTHS: Final[tuple[str, ...]] = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

_FR_PARTICIPLES: Final[tuple[tuple[str, str], ...]] = (
    ("signé", "signée"),
    ("annoncé", "annoncée"),
    ("présenté", "présentée"),
    ("adopté", "adoptée"),
    ("dévoilé", "dévoilée"),
)

_FR_SOURCES: Final[tuple[str, ...]] = (
    "Élodie Ferrand, directrice de l'agence Veltria",
    "l'économiste Paul Garnier",
    "un rapport de l'institut Merval publié le {date}",
    "la préfecture de {place}",
    "Julien Ravier, président du groupe Ardentis",
    "les chiffres de la mairie de {place}",
    "la députée Sophie Marquet",
)

_FR_FACTS: Final[tuple[str, ...]] = (
    "le chômage a reculé de {pct} à {place} en {year}",
    "{count} emplois ont été créés à {place} entre {year} et {year2}",
    "les ventes de la société Norvalis ont progressé de {pct} en {year}",
    "le chantier coûtera {amount} et s'achèvera en {year2}",
    "la fréquentation du réseau de {place} a atteint {count} voyageurs par jour en {year}",
    "{small} écoles de {place} fermeront le {date}",
)

_EN_ACTORS: Final[tuple[str, ...]] = (
    "Leeds city council",
    "the Norvalis group",
    "the Ardentis company",
    "the Veltria agency",
    "Minister Claire Vautrin",
    "Governor Henry Castaing",
    "Senator Sophie Marquet",
    "economist Paul Garner",
    "the Orsenne Foundation",
    "the Solvane union",
    "the Cytelis laboratory",
    "the start-up Kelvora",
    "the law firm Morand & Partners",
    "Ellen Ferris, director of the Veltria agency",
    "Mark Delaney, mayor of Ashbourne",
    "Arvelle Bank",
    "the airline Skylane",
    "the Green Acres association",
    "the Ridgeford county board",
    "Julian Raven, chairman of the Ardentis group",
    "Ines Bennett, a spokeswoman for the Orsenne Foundation",
    "the Merval Institute",
    "the Valloway cooperative",
    "the Bristol port authority",
)

_EN_ACTIONS: Final[tuple[str, ...]] = (
    "approved a budget of {amount}",
    "announced {count} job cuts",
    "signed a {amount} contract with the Brenval company",
    "hired {count} staff",
    "opened {count} new childcare places",
    "raised its prices by {pct}",
    "reported a {pct} rise in revenue",
    "released {amount} to renovate {count} homes",
    "raised {amount} from {small} investors",
    "published a {small}-page report",
    "confirmed the closure of {small} sites",
    "put the cost of the works at {amount}",
    "announced a {pct} cut in emissions",
    "bought {small} branches for {amount}",
    "served {count} meals",
    "marked an important step by delivering {count} homes",
    "opened up new prospects by investing {amount}",
)

_EN_PLACES: Final[tuple[str, ...]] = (
    "Leeds",
    "Bristol",
    "Glasgow",
    "Cardiff",
    "Manchester",
    "Dublin",
    "Boston",
    "Denver",
    "Toronto",
    "Adelaide",
    "Ashbourne",
    "Ridgeford",
    "Portland",
    "Nottingham",
    "Cork",
    "Halifax",
)

_EN_MONTHS: Final[tuple[str, ...]] = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_EN_PARTICIPLES: Final[tuple[str, ...]] = ("signed", "announced", "unveiled", "adopted", "presented")

_EN_SOURCES: Final[tuple[str, ...]] = (
    "Ellen Ferris, director of the Veltria agency",
    "economist Paul Garner",
    "a Merval Institute report published on {date}",
    "the {place} city authorities",
    "Julian Raven, chairman of the Ardentis group",
    "figures from {place} city hall",
    "Senator Sophie Marquet",
)

_EN_FACTS: Final[tuple[str, ...]] = (
    "unemployment in {place} fell by {pct} in {year}",
    "{count} jobs were created in {place} between {year} and {year2}",
    "Norvalis sales grew by {pct} in {year}",
    "the works will cost {amount} and be completed in {year2}",
    "the {place} network carried {count} passengers a day in {year}",
    "{small} schools in {place} will close on {date}",
)

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

_ELISION_RE: Final[re.Pattern[str]] = re.compile(r"\b([Qq])ue ([aeiouyàâéèêëîïôöûüAEIOUYÀÂÉÈÊÎÔ])")


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")


def _partition(items: Sequence[_T], split: str) -> tuple[_T, ...]:
    """Every ``_TEST_EVERY``-th item (index % 5 == 4) goes to "test", the rest to "train"."""
    held_out = [i % _TEST_EVERY == _TEST_EVERY - 1 for i in range(len(items))]
    want_test = split == "test"
    return tuple(item for item, is_test in zip(items, held_out, strict=True) if is_test == want_test)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _finish(text: str, language: str) -> str:
    """Apply French elision ("que il" cannot occur, "que une" -> "qu'une") and tidy spaces."""
    if language == "fr":
        text = _ELISION_RE.sub(r"\1u'\2", text)
    return re.sub(r"\s+", " ", text).strip()


def _agree(predicate: Predicate, gender: str) -> str:
    if isinstance(predicate, str):
        return predicate
    masculine, feminine = predicate
    return feminine if gender == "f" else masculine


class _SplitParts(NamedTuple):
    subjects: tuple[Subject, ...]
    predicates: tuple[Predicate, ...]
    complements: tuple[str, ...]
    openers: tuple[str, ...]
    core_patterns: tuple[str, ...]
    np_patterns: tuple[str, ...]
    fixed_patterns: tuple[str, ...]


def _split_parts(language: str, split: str) -> _SplitParts:
    bank = _BANKS[language]
    patterns = _partition(bank.patterns, split)
    return _SplitParts(
        subjects=bank.subjects,
        predicates=_partition(bank.predicates, split),
        complements=_partition(bank.complements, split),
        openers=bank.openers,
        core_patterns=tuple(p for p in patterns if "{core}" in p),
        np_patterns=tuple(p for p in patterns if "{np}" in p),
        fixed_patterns=tuple(p for p in patterns if "{core}" not in p and "{np}" not in p),
    )


def _core(subject: Subject, predicate: Predicate, complement: str | None) -> str:
    text, gender = subject
    core = f"{text} {_agree(predicate, gender)}"
    return f"{core} {complement}" if complement else core


def _combo_sentence(
    language: str, subject: Subject, predicate: Predicate, complement: str | None, opener: str | None
) -> str:
    core = _core(subject, predicate, complement)
    text = f"{opener} {_lower_first(core)}" if opener else core
    return _finish(text + ".", language)


def _core_pattern_sentence(
    language: str, pattern: str, subject: Subject, predicate: Predicate, complement: str | None
) -> str:
    return _finish(pattern.format(core=_lower_first(_core(subject, predicate, complement))), language)


def _np_pattern_sentence(language: str, pattern: str, subject: Subject) -> str:
    return _finish(pattern.format(np=_lower_first(subject[0])), language)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def count_available(language: str, split: str) -> int:
    """Number of distinct generic sentences that ``generic_sentences`` can draw for a split.

    Computed from the part counts; ``iter_generic_sentences`` enumerates exactly this many
    sentences, all distinct (checked when the bank was written).
    """
    _check_language(language)
    _check_split(split)
    parts = _split_parts(language, split)
    n_subj = len(parts.subjects)
    n_pred = len(parts.predicates)
    n_comp = len(parts.complements) + 1  # + "no complement"
    n_open = len(parts.openers) + 1  # + "no opener"
    combos = n_subj * n_pred * n_comp * n_open
    core_patterns = len(parts.core_patterns) * n_subj * n_pred * n_comp
    np_patterns = len(parts.np_patterns) * n_subj
    return combos + core_patterns + np_patterns + len(parts.fixed_patterns)


def iter_generic_sentences(language: str, split: str) -> Iterator[str]:
    """Enumerate every generic sentence of a split (large: about a million for "train")."""
    _check_language(language)
    _check_split(split)
    parts = _split_parts(language, split)
    complements: tuple[str | None, ...] = (None, *parts.complements)
    openers: tuple[str | None, ...] = (None, *parts.openers)
    for subject in parts.subjects:
        for predicate in parts.predicates:
            for complement in complements:
                for opener in openers:
                    yield _combo_sentence(language, subject, predicate, complement, opener)
                for pattern in parts.core_patterns:
                    yield _core_pattern_sentence(language, pattern, subject, predicate, complement)
        for pattern in parts.np_patterns:
            yield _np_pattern_sentence(language, pattern, subject)
    for pattern in parts.fixed_patterns:
        yield _finish(pattern, language)


def generic_sentences(language: str, n: int, seed: int, split: str) -> list[str]:
    """Return ``n`` distinct generic (uncheckable, stock-phrased) sentences.

    language: "fr" or "en". split: "train" or "test"; the test split uses only held-out
    predicates, complements and whole-sentence patterns (every 5th of each), so no test
    sentence can occur in the train split. Deterministic for a given (language, n, seed, split).
    About 60 % of the sentences are ``[opener] subject predicate [complement].``; the rest come
    from whole-sentence patterns (vague attribution, rhetorical closings, evaluative filler).
    """
    _check_language(language)
    _check_split(split)
    if n < 0:
        raise ValueError("n must be >= 0")
    available = count_available(language, split)
    if n > available:
        raise ValueError(f"only {available} distinct {language}/{split} sentences exist, asked for {n}")
    parts = _split_parts(language, split)
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    attempts = 0
    max_attempts = 100 * n + 10_000
    while len(out) < n:
        attempts += 1
        if attempts > max_attempts:  # pragma: no cover - only for n close to `available`
            raise RuntimeError(f"could not draw {n} distinct sentences (got {len(out)})")
        sentence = _draw_generic(rng, language, parts)
        if sentence not in seen:
            seen.add(sentence)
            out.append(sentence)
    return out


def _draw_generic(rng: random.Random, language: str, parts: _SplitParts) -> str:
    subject = rng.choice(parts.subjects)
    predicate = rng.choice(parts.predicates)
    complement = rng.choice(parts.complements) if rng.random() < 0.55 else None
    shape = rng.random()
    if shape < 0.6:
        opener = rng.choice(parts.openers) if rng.random() < 0.55 else None
        return _combo_sentence(language, subject, predicate, complement, opener)
    if shape < 0.82:
        pattern = rng.choice(parts.core_patterns)
        return _core_pattern_sentence(language, pattern, subject, predicate, complement)
    if shape < 0.95:
        return _np_pattern_sentence(language, rng.choice(parts.np_patterns), subject)
    return _finish(rng.choice(parts.fixed_patterns), language)


def _fr_number(value: int) -> str:
    """French thousands separator: 12 500."""
    return f"{value:,}".replace(",", " ")


def _fill_figures(template: str, rng: random.Random, language: str) -> str:
    """Fill {amount} {count} {small} {pct} {year} {year2} {date} {place} slots with invented values."""
    year = rng.randint(2015, 2024)
    values: dict[str, str] = {
        "year": str(year),
        "year2": str(year + rng.randint(1, 6)),
        "date": _date(rng, language),
    }
    count = rng.choice((rng.randint(12, 990), rng.randint(1_000, 48_000)))
    small = rng.randint(2, 90)
    pct_whole, pct_dec = rng.randint(1, 38), rng.randint(0, 9)
    if language == "fr":
        if rng.random() < 0.7:
            amount = f"{rng.randint(2, 950)} millions d'euros"
        else:
            amount = f"{rng.randint(1, 12)},{rng.randint(1, 9)} milliards d'euros"
        values.update(
            amount=amount,
            count=_fr_number(count),
            small=str(small),
            pct=f"{pct_whole},{pct_dec} %",
            place=rng.choice(_FR_PLACES),
        )
    else:
        currency = rng.choice(("£", "$", "€"))
        if rng.random() < 0.7:
            amount = f"{currency}{rng.randint(2, 950)} million"
        else:
            amount = f"{currency}{rng.randint(1, 12)}.{rng.randint(1, 9)} billion"
        values.update(
            amount=amount,
            count=f"{count:,}",
            small=str(small),
            pct=f"{pct_whole}.{pct_dec}%",
            place=rng.choice(_EN_PLACES),
        )
    return template.format(**values)


def _date(rng: random.Random, language: str) -> str:
    day = rng.randint(1, 28)
    year = rng.randint(2015, 2024)
    if language == "fr":
        day_text = "1er" if day == 1 else str(day)
        return f"{day_text} {rng.choice(_FR_MONTHS)} {year}"
    return f"{day} {rng.choice(_EN_MONTHS)} {year}"


def _when(rng: random.Random, language: str) -> str:
    roll = rng.random()
    if language == "fr":
        if roll < 0.5:
            return f"le {_date(rng, 'fr')}"
        if roll < 0.8:
            return f"en {rng.choice(_FR_MONTHS)} {rng.randint(2015, 2024)}"
        return f"à {rng.choice(_FR_PLACES)}"
    if roll < 0.5:
        return f"on {_date(rng, 'en')}"
    if roll < 0.8:
        return f"in {rng.choice(_EN_MONTHS)} {rng.randint(2015, 2024)}"
    return f"in {rng.choice(_EN_PLACES)}"


def _draw_distractor(rng: random.Random, language: str) -> str:
    bank = _BANKS[language]
    fr = language == "fr"
    actors = _FR_ACTORS if fr else _EN_ACTORS
    actions = _FR_ACTIONS if fr else _EN_ACTIONS
    shape = rng.random()
    if shape < 0.45:
        # [opener] named actor + action with a figure + date or place.
        opener = rng.choice(bank.openers) if rng.random() < 0.75 else None
        actor = rng.choice(actors)
        if "," in actor:  # close the apposition: "Marc Delorme, maire de Valbrune, a voté ..."
            actor += ","
        action = _fill_figures(rng.choice(actions), rng, language)
        clause = f"{actor} {action} {_when(rng, language)}"
        text = f"{opener} {clause}" if opener else _upper_first(clause)
        return _finish(text + ".", language)
    if shape < 0.7:
        # Generic subject and stock predicate, but anchored by a date and named parties.
        subject_text, gender = rng.choice(bank.subjects)
        predicate = _agree(rng.choice(bank.predicates), gender)
        party_a, party_b = rng.sample([a for a in actors if "," not in a], 2)
        date = _date(rng, language)
        if fr:
            participle = rng.choice(_FR_PARTICIPLES)[1 if gender == "f" else 0]
            inner = f"{participle} le {date} par {party_a} et {party_b}"
        else:
            inner = f"{rng.choice(_EN_PARTICIPLES)} on {date} by {party_a} and {party_b}"
        opener = rng.choice(bank.openers) if rng.random() < 0.5 else None
        core = f"{subject_text}, {inner}, {predicate}"
        text = f"{opener} {_lower_first(core)}" if opener else core
        return _finish(text + ".", language)
    if shape < 0.85:
        # Generic subject whose relative clause carries a figure and a deadline.
        subject_text, gender = rng.choice(bank.subjects)
        predicate = _agree(rng.choice(bank.predicates), gender)
        if fr:
            inner = _fill_figures(
                rng.choice(
                    (
                        "qui prévoit {count} embauches d'ici {year2}",
                        "qui mobilise {amount} sur {small} ans",
                        "qui concerne {count} habitants de {place}",
                        "doté de {amount}" if gender == "m" else "dotée de {amount}",
                    )
                ),
                rng,
                language,
            )
        else:
            inner = _fill_figures(
                rng.choice(
                    (
                        "which provides for {count} new hires by {year2}",
                        "which commits {amount} over {small} years",
                        "which covers {count} residents of {place}",
                        "backed by {amount}",
                    )
                ),
                rng,
                language,
            )
        opener = rng.choice(bank.openers) if rng.random() < 0.5 else None
        core = f"{subject_text}, {inner}, {predicate}"
        text = f"{opener} {_lower_first(core)}" if opener else core
        return _finish(text + ".", language)
    # Named attribution followed by a checkable fact.
    source = _fill_figures(rng.choice(_FR_SOURCES if fr else _EN_SOURCES), rng, language)
    fact = _fill_figures(rng.choice(_FR_FACTS if fr else _EN_FACTS), rng, language)
    text = f"Selon {source}, {fact}." if fr else f"According to {source}, {fact}."
    return _finish(text, language)


def specific_distractors(language: str, n: int, seed: int) -> list[str]:
    """Return ``n`` distinct hard negatives (label "specific").

    They share openers, subjects and stock predicates with :func:`generic_sentences` but each
    carries checkable content: an invented named person or organisation, a figure, a date or a
    place, e.g. "En conclusion, le conseil municipal de Lyon a voté un budget de 12 millions
    d'euros le 3 mars 2021." Deterministic for a given (language, n, seed). There is no split:
    the figures and dates are drawn at random, so the space is effectively unbounded.
    """
    _check_language(language)
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = random.Random(seed)
    out: list[str] = []
    seen: set[str] = set()
    attempts = 0
    max_attempts = 100 * n + 10_000
    while len(out) < n:
        attempts += 1
        if attempts > max_attempts:  # pragma: no cover
            raise RuntimeError(f"could not draw {n} distinct distractors (got {len(out)})")
        sentence = _draw_distractor(rng, language)
        if sentence not in seen:
            seen.add(sentence)
            out.append(sentence)
    return out


if __name__ == "__main__":
    for lang in LANGUAGES:
        print(f"=== {lang} ===")
        for split_name in SPLITS:
            print(f"-- generic_sentences({lang!r}, 5, seed=0, split={split_name!r})")
            for sentence in generic_sentences(lang, 5, seed=0, split=split_name):
                print("   ", sentence)
        print(f"-- specific_distractors({lang!r}, 5, seed=0)")
        for sentence in specific_distractors(lang, 5, seed=0):
            print("   ", sentence)
        for split_name in SPLITS:
            print(f"-- distinct generic sentences available, {lang}/{split_name}: {count_available(lang, split_name)}")
        print()
