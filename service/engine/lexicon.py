"""Listed French and English vocabulary the rule-based cues use.

Kept in one place so it can be reviewed and extended without touching the stages.
Each entry is a regular expression matched case-insensitively on normalized text.
"""

from __future__ import annotations

import re

# Page furniture: navigation, teasers, sharing, subscription, app promotion, credits.
_SHARE_ITEM = (
    r"(?:share|partager)(?: (?:on|sur|via) [\w.+-]+| this (?:article|story)| cet article)?"
    r"|(?:e-?mail|envoyer par e-?mail|imprimer|print|tweet|copy link|copier le lien)"
    r"(?: this (?:article|story)| cet article)?"
)
FURNITURE_PATTERNS = [
    r"aller au contenu( principal)?",
    r"skip to (main )?content",
    r"(lire|voir) (aussi|également|la suite)\b.*",
    r"(read|see) (also|more)\b.*",
    r"related(( articles?| stories| content| links| posts| videos?| news| topics)\b.*| ?:.*)?",
    r"t[ée]l[ée]charger l'application.*",
    r"download (the|our) app.*",
    r"r[ée]utiliser ce contenu",
    r"source link",
    r"(\d+ )?commentaires?",
    r"(\d+ )?comments?",
    r"partager( sur \w+| cet article)?",
    r"share( this( article| story)?| on \w+)?",
    r"abonnez-vous.*",
    r"subscribe( now| to .*)?",
    r"article r[ée]serv[ée] (à|aux) (nos )?abonn[ée]s.*",
    r"(this article is )?for subscribers only.*",
    r"newsletter.*",
    r"publicit[ée]|advertisement|sponsored( content)?",
    r"dernier|derni[èe]res? (infos|actualit[ée]s)|latest( news)?",
    r"le monde application",
    r"la matinale du monde",
    r"chaque matin, retrouvez notre s[ée]lection.*",
    r"cette histoire est (encore )?en cours de d[ée]veloppement.*",
    r"this (is a developing story|story is developing).*",
    r"(mis|publi[ée]) [àa] jour le .*|(updated|published) (on )?\w+ \d.*",
    r"(tous )?droits r[ée]serv[ée]s.*|all rights reserved.*|©.*|copyright( ?(©|\(c\)|\d{4}|:|by\b).*)?",
    r"suivez-nous.*|follow us.*",
    r"(accueil|home)( ?[>›/|].*)?",
    r"menu|rechercher|search|connexion|se connecter|sign in|log in",
    # Paywall, subscription, audio player, cookie banner, related lists, publication lines.
    r"il vous reste \d+ ?% de (cet|l') article [àa] lire.*|la suite est r[ée]serv[ée]e aux abonn[ée]s.*",
    r"you have \d+ (free )?articles? (left|remaining).*|(the rest of )?this article is for subscribers.*",
    r"d[ée]j[àa] abonn[ée]e?s? ?\??.*|already a (subscriber|member)\??.*|connectez-vous.*",
    r"[ée]couter (cet|l') article.*|listen to (this )?(article|story).*|\d+ ?min(utes?)? (de lecture|read)",
    r"(nous utilisons|ce site utilise) des cookies.*|we use cookies.*|this (web)?site uses cookies.*",
    r"en poursuivant votre navigation.*|by continuing to (browse|use).*|tout accepter|tout refuser|accept all",
    r"sur le m[êe]me sujet|dans la m[êe]me rubrique|(more|related) (on|coverage|stories)( on this)?.*",
    r"publi[ée] le \d.*|mis [àa] jour le \d.*",
    # A caption ending in its photo credit ("... mardi 11 mars. Photo Estuaire Hebdo / Luc Morvan").
    r".{0,300}\b(photos?|cr[ée]dit photo|photo credit|illustration|image)s? ?:? ?"
    r"[\w .'’&-]{2,60} ?/ ?[\w .'’&-]{2,60}",
    r"(photo|cr[ée]dit photo|image)s? ?:.*",
    r"[àa] lire (aussi|également).*",
    # A share bar pasted as one line: "Share on Facebook Share on X Email this article".
    rf"(?:{_SHARE_ITEM})(?:(?:\s*[|•·/,]\s*|\s+)(?:{_SHARE_ITEM}))+",
]
FURNITURE_RE = re.compile(r"^(?:" + "|".join(FURNITURE_PATTERNS) + r")\s*[.:!…]*$", re.IGNORECASE)
# Teaser prefixes: the rest of the line is a headline of another article.
TEASER_RE = re.compile(r"^(lire aussi|voir aussi|à lire aussi|a lire aussi|read more|read also|see also)\b", re.I)

# Credit / byline lines: legitimate, not claims, and evidence of attribution.
CREDIT_RE = re.compile(
    r"^((le monde|[\w .'-]{2,40}) avec (l')?(afp|reuters|ap|ansa|belga|dpa)|"
    r"(avec|with) (afp|reuters|ap)|\(?(afp|reuters|ap)\)?|"
    r"[\w .'-]{2,30} ?: ?[\w .'-]{2,60} a (fourni|contribu[ée]).*|"
    r"[\w .'-]{2,60} contributed (reporting|to this report).*|"
    r"(par|by) [A-Z][\w'-]+( [A-Z][\w'-]+){0,3}( (et|and) [A-Z][\w'-]+( [A-Z][\w'-]+){0,3})?)\.?$",
    re.IGNORECASE,
)

# The newsroom's own accountability and production notes: a correction or an editor's note, the
# wire's production credits ("Reporting by Tom Hale; Editing by Sarah Kent"), a pointer to its
# standards. Not claims, not the outlet's opinion, not furniture: typed like a credit line
# (`heading`), they cost nothing (issue 13 counts corrections as the newsroom's work, not furniture).
_NOTE_LABEL = (
    r"(?:corrections?|clarifications?|rectificatifs?|erratum|pr[ée]cision|editor(?:'s|s'|s)? notes?|"
    r"note de la r[ée]daction|n\.? ?d\.? ?l\.? ?r\.?)"
)
_CREDIT_NAME = r"[A-Z][\w.'’-]+(?: (?:[A-Z][\w.'’-]+|de|da|van|von|le|la))*"
_CREDIT_PART = (
    r"(?:(?:[Aa]dditional|[Ff]urther) )?(?:[Rr]eporting|[Ww]riting|[Ee]diting|[Cc]ompiled|[Rr]esearch|[Ff]act-checking"
    rf"|[Gg]raphics?) by {_CREDIT_NAME}(?:(?:,| and| et) {_CREDIT_NAME})*"
)
NEWSROOM_NOTE_RE = re.compile(
    # A labelled note ("Correction:", "[Editor's note: ...]", "Clarification (Nov. 21): ...").
    rf"^[\[(]?(?i:{_NOTE_LABEL})(?: ?\([^()]{{1,30}}\))? ?[:—–]"
    # An unlabelled correction ("An earlier version of this article misstated ...").
    r"|^(?i:an earlier version of this (?:article|story)|this (?:article|story) has been (?:corrected|amended)"
    r"|une (?:premi[èe]re|pr[ée]c[ée]dente) version de cet article|cet article a [ée]t[ée] (?:corrig[ée]|modifi[ée]))\b"
    # A wire's production credits, the whole line ("Reporting by Tom Hale; Editing by Sarah Kent").
    rf"|^{_CREDIT_PART}(?: ?[;,] ?{_CREDIT_PART})*\.?$"
    r"|^(?i:our standards) ?:"
)

HEDGE_RE = re.compile(
    r"\b(rumeurs?|auraient|aurait|seraient|serait|pourrai(en)?t|semblerai(en)?t|apparemment|pr[ée]tendument|"
    r"pr[ée]sum[ée]e?s?|non confirm[ée]e?s?|il se dit|on dit|selon des rumeurs|des sources non|"
    r"reportedly|allegedly|rumou?rs?|unconfirmed|is said to|are said to|may have|might have|"
    r"could have|it is believed|supposedly|purportedly)\b",
    re.IGNORECASE,
)

AGENCIES = (
    r"AFP|Reuters|AP|Associated Press|TASS|Tass|RIA Novosti|Interfax|KCNA|Yonhap|Xinhua|ANSA|Belga|DPA|EFE|Bloomberg"
)
ATTRIBUTION_RE = re.compile(
    r"\b(selon|d'apr[èe]s|cit[ée]e? par|a (d[ée]clar[ée]|affirm[ée]|assur[ée]|indiqu[ée]|pr[ée]cis[ée]|expliqu[ée]|"
    r"ajout[ée]|estim[ée]|jug[ée]|confirm[ée]|annonc[ée]|dit|r[ée]v[ée]l[ée])|ont (rapport[ée]|indiqu[ée]|"
    r"annonc[ée]|r[ée]v[ée]l[ée]|affirm[ée]|d[ée]clar[ée])|a-t-il (dit|d[ée]clar[ée]|ajout[ée]|assur[ée]|"
    r"expliqu[ée]|pr[ée]cis[ée])|a-t-elle \w+|affirmant|d[ée]clarant|communiqu[ée]|rapport|le texte du|"
    r"according to|said|says|told|stated|announced|reported|confirmed|a statement|the report|"
    r"spokes(man|woman|person)|porte-parole|" + AGENCIES + r")\b",
)
AGENCY_RE = re.compile(r"\b(" + AGENCIES + r")\b")

# Negation cues; negative verbs are counted too so "n'excluait pas" resolves to positive. "Sans"
# before a verb, "without" before a gerund and "mais pas" deny too, so that two ways of writing one
# denial agree: "sans oser déclarer" = "n'a pas osé déclarer", "sans permettre l'euthanasie" = "mais
# pas à l'euthanasie". Not the idioms that affirm ("sans hésiter", "sans tarder", "without
# delay"), nouns ("sans titre", "sans espoir", "without warning") or "mais pas seulement".
NEGATION_PARTICLE_RE = re.compile(
    r"\b(ne|n')\b[^.;]{0,40}?\b(pas|plus|jamais|gu[èe]re|nullement|aucune?|ni)\b|\bnot\b|n't\b|\bnever\b|\bno longer\b"
    r"|\bsans\s+(?!h[ée]siter\b|tarder\b|attendre\b|compter\b|parler\b|autre\b|titre\b|espoir\b|encombre\b)"
    r"[a-zàâçéèêëîïôûù]+(?:er|ir|re)\b"
    r"|\bwithout\s+(?!(?:warning|anything|something|nothing|everything|missing|hesitating)\b)(?-i:[a-z]+ing)\b"
    r"|\bmais pas\b(?!\s+(?:seulement|que|uniquement|forcément|toujours|encore)\b)",
    re.IGNORECASE,
)
NEGATIVE_VERB_RE = re.compile(
    r"\b(ni(e|ent|é|er|ant)|d[ée]men(t|ti|tent|tir)|r[ée]fut(e|ent|é|er)|rejet(te|tent|é)|rejeter|"
    r"exclu(t|ait|aient|re|ant)?|deni(es|ed)|deny|refut(es|ed)|reject(s|ed)?|rules? out|ruled out)\b",
    re.IGNORECASE,
)

LOADED_RE = re.compile(
    r"\b(audacieux|audacieuse|[ée]branle|spectaculaire|fracassant(e|s)?|sid[ée]rant(e|s)?|hallucinant(e|s)?|"
    r"incroyable|scandal(e|eux|euse)|choc|explosi(f|ve)|terrifiant(e|s)?|stup[ée]fiant(e|s)?|d[ée]vastat(eur|rice)|"
    r"bombe|s[ée]isme|coup de tonnerre|effrayant(e|s)?|inou[ïi]e?|vertigineu(x|se)|humiliant(e|s)?|"
    r"shocking|bombshell|stunning|jaw-dropping|outrageous|explosive|terrifying|unbelievable|"
    r"devastating|slams?|destroys?|mind-blowing|sensational|staggering|catastrophic|chilling|horrifying)\b",
    re.IGNORECASE,
)

# Stock phrasing of generic filler; a cue for the trained classifier, not the verdict.
STOCK_PHRASE_RE = re.compile(
    r"\b(en conclusion|marque une [ée]tape|ouvre (de nouvelles|la voie)|nouvelles (perspectives|opportunit[ée]s)|"
    r"t[ée]moigne d'une|divers domaines|pas important|sc[èe]ne internationale|reste [àa] (voir|savoir)|"
    r"in conclusion|marks? a (significant |major |new )?(milestone|step|turning point)|"
    r"opens? (up )?new|only time will tell|remains to be seen|on the world stage|in many areas|"
    r"a step (forward|towards))\b",
    re.IGNORECASE,
)

HONORIFICS = {
    "M",
    "MM",
    "Mme",
    "Mmes",
    "Mlle",
    "Dr",
    "Pr",
    "Me",
    "Mgr",
    "Mr",
    "Mrs",
    "Ms",
    "Prof",
    "St",
    "Ste",
    "Sr",
    "Jr",
}

# Words that start sentences with a capital but are never names.
CAPITALISED_STOPWORDS = {
    w.lower()
    for w in (
        "Le La Les L Un Une Des Du De D Ce Cet Cette Ces Il Elle Ils Elles On Nous Vous Je Tu Selon Dans En Pour "
        "Par Sur Sous Avec Sans Mais Et Ou Donc Or Ni Car Si Alors Ainsi Aussi Après Avant Depuis Lors Quand Comme "
        "Au Aux Son Sa Ses Leur Leurs Notre Nos Votre Vos Mon Ma Mes Ton Ta Tes Tout Tous Toute Toutes Cela Ceci "
        "Celui Celle Ceux Celles Quels Quel Quelle Quelles Qui Que Quoi Dont Où Pourquoi Comment Combien Malgré "
        "Entre Vers Chez Contre Parmi Pendant Déjà Encore Enfin Puis Toutefois Cependant Néanmoins Pourtant "
        "Certains Certaines Plusieurs D'autres Autres Chaque Aucun Aucune Même Lundi Mardi Mercredi Jeudi Vendredi "
        "Samedi Dimanche Janvier Février Mars Avril Mai Juin Juillet Août Septembre Octobre Novembre Décembre "
        "The A An This That These Those It Its He She They We You I In On At For By With From Of To And But Or "
        "If When While After Before Since As According Although However Meanwhile Moreover Also Then Still Yet "
        "His Her Their Our Your My Some Many Most Several Each Every All No Not Monday Tuesday Wednesday Thursday "
        "Friday Saturday Sunday January February March April May June July August September October November "
        "December Here There What Which Who Why How Where Whether Despite Under Over Into Onto Upon Read "
        "C Qu S J N Voici Voilà Oui Non Tl Dr".split()
    )
}
NAME_CONNECTORS = {
    "de",
    "du",
    "des",
    "la",
    "le",
    "van",
    "von",
    "der",
    "den",
    "bin",
    "ben",
    "ibn",
    "al",
    "el",
    "da",
    "di",
    "dos",
}

# Known transliteration pairs (French <-> English and other usual forms): never misspellings.
TRANSLITERATIONS = [
    {"poutine", "putin"},
    {"ouchakov", "ushakov"},
    {"zelensky", "zelenskyy", "zelenski", "zelenskiy"},
    {"kadhafi", "gaddafi", "qaddafi", "kaddafi"},
    {"khrouchtchev", "khrushchev"},
    {"tchernobyl", "chernobyl"},
    {"pekin", "beijing"},
    {"moscou", "moscow"},
    {"kiev", "kyiv", "kiew"},
    {"medvedev"},
    {"lavrov"},
    {"choigou", "shoigu"},
    {"navalny", "navalni"},
]

NUMBER_WORDS = {
    # French
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "vingt": 20,
    "vingt-trois": 23,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
    "cent": 100,
    "mille": 1000,
    "vingt-quatre": 24,
    "vingt-deux": 22,
    "vingt-cinq": 25,
    "dizaine": 10,
    "centaine": 100,
    # English
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
    "thousand": 1000,
    "dozen": 12,
}
MONTHS = (
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|decembre|"
    "january|february|march|april|june|july|august|september|october|november|december"
)
WEEKDAYS = (
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
)

FUNCTION_WORDS = set(
    (
        "le la les un une des du de d l et ou à a au aux en dans par pour sur avec sans que qui ne pas plus se sa son "
        "ses leur leurs ce cet cette ces il elle ils elles on est sont été être ont avait avaient a-t-il the of and "
        "to in on at for by with from is are was were be been it its that this as an or not but"
    ).split()
)

# Words recent news uses that the dictionaries (LibreOffice's, subtitles' frequency lists) predate
# or lack: never spelling slips. Extend it when an editor marks a `spelling` flag incorrect.
NEWS_WORDS = frozenset(
    (
        "covid covidé covidés covidée coronavirus deconfinement déconfinement reconfinement defund defunds defunded "
        "defunding tased tasing incel incels remainer remainers brexiter brexiters brexiteer brexiteers gardai "
        "dalit dalits abaya abayas qamis ubériser ubérisation uberisation uberization vaxxer vaxxers antivax "
        "antivaxx cofounded cofounder cofounders livestream livestreamed livestreaming doxxing doxxed deepfake "
        "deepfakes cryptocurrency cryptocurrencies blockchain"
    ).split()
)
