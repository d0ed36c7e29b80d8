"""Spelling slips, value conflicts between outlets, and name slips found word by word (issue 13)."""

from __future__ import annotations

from datetime import date

from service.engine.mentions import name_key
from service.engine.names import misspelled_name_flags, misspelled_word
from service.engine.pipeline import prepare
from service.engine.records import ArticleInput
from service.engine.signals import contradiction_reason
from service.engine.spelling import spelling_flags
from service.engine.values import rounds_to, sentence_values, value_conflict
from training.injection_eval import typo


def _flags(*texts: str) -> list[list[tuple[str, str | None]]]:
    docs = prepare([ArticleInput(text=t) for t in texts])
    return [[(f.text, f.suggestion) for f in flags] for flags in spelling_flags(docs)]


def test_non_words_with_a_close_correction_are_spelling_slips() -> None:
    fr = "La situation financière s'est encore allourdie hier selon le ministre, qui a dû assiter à la réunion."
    en = "The senator said the vote, marked with an asterik in the record, would come after the midtem break."
    flags = _flags(fr, en)
    assert ("allourdie", "alourdie") in flags[0] and ("assiter", "assister") in flags[0]
    assert ("asterik", "asterisk") in flags[1] and ("midtem", "midterm") in flags[1]


def test_words_of_names_quotes_urls_other_outlets_variants_and_inflections_are_not_slips() -> None:
    article = (
        "Le trader Kerviel a parlé à la presse. Les avocats de kerviel contestent tout.\n"
        "« Nous allons contre-attaquer dans la foulée, c'est inadmissiblle », a-t-il dit.\n"
        "Le texte règlementaire est publié sur legifrance.gouv.fr et relayé par une consoeur."
    )
    other = "Le trader Kerviel conteste la décision, selon une consoeur."
    assert _flags(article, other)[0] == []
    english = "Critics said the governor demagogued the issue and dumbed down the legalizations debate."
    assert _flags(english)[0] == []


def test_a_word_other_articles_of_the_story_write_is_never_a_slip() -> None:
    first = "The protesters gathered outside the statehouse on the quadrangel near the fountain."
    second = "Police said the protesters left the quadrangel before dawn."
    assert _flags(first, second) == [[], []]


def test_typos_keep_first_and_last_letters_and_change_the_word() -> None:
    import random

    rng = random.Random(3)
    for word in ("protest", "Santorum", "legislation"):
        slip = typo(word, rng)
        assert slip != word and slip[0] == word[0] and slip[-1] == word[-1]


def test_values_conflict_only_in_a_shared_slot() -> None:
    arrests = sentence_values("Police made 47 arrests overnight.", None)
    assert value_conflict(arrests, sentence_values("The police made 71 arrests overnight.", None)) is not None
    # A round figure is no disagreement; nor are two figures that share only a unit.
    five = sentence_values("Kerviel aurait fait perdre près de 5 milliards d'euros à la banque.", None)
    assert (
        value_conflict(five, sentence_values("Kerviel a fait perdre 4,9 milliards d'euros à la banque.", None)) is None
    )
    lost = sentence_values("Les banques ont perdu 17 milliards d'euros.", None)
    assert value_conflict(lost, sentence_values("L'Etat injecte 10,5 milliards d'euros.", None)) is None
    assert rounds_to("4900000000", "5000000000") and not rounds_to("447", "448")


def test_weekdays_resolve_against_publication_days() -> None:
    wednesday = date(2012, 6, 13).toordinal()
    tuesday_vote = sentence_values("The House voted Tuesday on the bill.", wednesday)
    # "yesterday" in the same Wednesday paper is that Tuesday; "Wednesday" is another day.
    assert value_conflict(tuesday_vote, sentence_values("The House voted yesterday on the bill.", wednesday)) is None
    conflict = value_conflict(tuesday_vote, sentence_values("The House voted Wednesday on the bill.", wednesday + 1))
    assert conflict is not None and (conflict[0].surface, conflict[1].surface) == ("Tuesday", "Wednesday")
    # Undated articles of a running story are not compared by weekday.
    assert value_conflict(sentence_values("Vote mardi.", None), sentence_values("Vote mercredi.", None)) is None


def test_contradiction_reason_names_both_values_and_every_outlet() -> None:
    entry = {"kind": "values", "here": "Tuesday", "there": "Wednesday", "text": "The House voted Wednesday."}
    reason = contradiction_reason(
        [{**entry, "source": "foxnews.com", "title": ""}, {**entry, "source": "nytimes.com", "title": ""}]
    )
    assert reason.startswith("“Tuesday” here; “Wednesday” in foxnews.com and nytimes.com")
    polarity = contradiction_reason(
        [{"kind": "polarity", "here": "denies", "there": "asserts", "text": "x", "source": "", "title": "A title"}]
    )
    assert polarity.startswith("Denies what “A title” asserts")


def test_a_slip_in_one_word_of_a_longer_name_is_found_word_by_word() -> None:
    others = {"L:clinton": "Clinton", "F:hillary": "Hillary", "F:martine": "Martine"}
    using = {"L:clinton": 2, "F:hillary": 2, "F:martine": 2, "L:clnton": 1, "L:martinez": 1}
    assert misspelled_word("Secretary of State Hillary Clnton", others, set(), using, "en") == (
        "Secretary of State Hillary Clinton"
    )
    # A surname is compared with surnames only, and dictionary words are other words.
    assert misspelled_word("Jérôme Martinez", others, set(), using, "fr") is None
    assert misspelled_word("Français", {"L:francois": "François"}, set(), {"L:francois": 3}, "fr") is None


def test_name_slip_flag_in_a_story() -> None:
    texts = [
        "Secretary of State Hillary Clnton revealed Wednesday that the attackers were armed.",
        "Hillary Clinton told senators on Wednesday that the attack was planned.",
        "Mrs. Clinton, the secretary of state, testified on Wednesday before the Senate.",
    ]
    docs = prepare([ArticleInput(text=t, source=s) for t, s in zip(texts, ("a.com", "b.com", "c.com"), strict=True)])
    flags = misspelled_name_flags(docs, [0, 1, 2])
    assert [(f.text.split()[-1], (f.suggestion or "").split()[-1]) for f in flags[0]] == [("Clnton", "Clinton")]
    assert flags[1] == [] and flags[2] == []


def test_no_conflict_between_two_accounts_of_one_day_or_one_slot() -> None:
    wednesday = date(2012, 6, 13).toordinal()
    same_day = [
        ("The company said Monday it will cut 500 jobs.", "The company said Monday that it is cutting 500 jobs."),
        ("Il a été arrêté mardi, a indiqué la police qui doit publier un rapport.", "Il a été arrêté mardi."),
        ("Will Smith arrived Tuesday.", "Smith arrived Tuesday."),
    ]
    for a, b in same_day:
        assert value_conflict(sentence_values(a, wednesday), sentence_values(b, wednesday)) is None, a
    # "votera jeudi" (Monday paper) and "prévu jeudi" (Tuesday paper) are the same Thursday.
    assert (
        value_conflict(
            sentence_values("Le Sénat votera jeudi.", wednesday - 2),
            sentence_values("Vote prévu jeudi.", wednesday - 1),
        )
        is None
    )
    other_slots = [
        ("12 morts et 45 blessés dans l'attentat.", "12 morts et 3 disparus dans l'attentat."),
        ("The suspect, 24, was arrested at 10:30 a.m.", "The suspect, 24, was arrested at 10:45 a.m."),
        ("Entre 40-60 manifestants ont défilé.", "50 manifestants ont défilé."),
        ("The firm raised $1.2bn last year.", "The firm raised $1.2 billion last year."),
        ("He will repay it over three decades.", "He will repay it over 30 years."),
    ]
    for a, b in other_slots:
        assert value_conflict(sentence_values(a, None), sentence_values(b, None)) is None, a


def test_quotations_spanning_sentences_and_feminines_are_not_checked() -> None:
    english = "“We will not stop. We are not talkin about defundin the police,” the mayor said on Monday."
    french = "La rapporteure du texte a présenté ses conclusions devant la commission des lois."
    assert _flags(english) == [[]] and _flags(french) == [[]]


def test_a_name_slip_needs_the_rest_of_the_name_to_agree() -> None:
    others = {"F:nicolas": "Nicolas", "L:dupont": "Dupont", "L:aignan": "Aignan"}
    using = dict.fromkeys(others, 2)
    assert misspelled_word("Éric Dupond-Moretti", others, set(), using, "fr") is None
    plural = contradiction_reason(
        [
            {"kind": "polarity", "here": "asserts", "there": "denies", "text": "x", "source": s, "title": ""}
            for s in ("a.com", "b.com")
        ]
    )
    assert plural.startswith("Asserts what a.com and b.com deny")


def test_a_short_or_dictionary_word_surname_is_a_slip_only_when_the_rest_of_the_name_agrees() -> None:
    others = {"F:christian": "Christian", "L:noyer": "Noyer", "F:jeff": "Jeff", "L:flake": "Flake"}
    using = {**dict.fromkeys(others, 2), "L:nyer": 1, "L:fake": 1}
    names = {name_key("Christian Noyer"), name_key("Jeff Flake")}
    assert misspelled_word("Christian Nyer", others, set(), using, "fr", names) == "Christian Noyer"
    assert misspelled_word("Jeff Fake", others, set(), using, "en", names) == "Jeff Flake"
    # alone, or when the corrected name is not one they write, it is another word or another person
    assert misspelled_word("Nyer", others, set(), using, "fr", names) is None
    assert misspelled_word("Marc Fake", others, set(), using, "en", names) is None
    paul = ({**others, "F:paul": "Paul"}, {**using, "F:paul": 1})
    assert misspelled_word("Paul Fake", paul[0], set(), paul[1], "en", names) is None
    assert misspelled_word("Jeff Fake's", others, set(), using, "en", names) == "Jeff Flake's"
    # a four-letter word of theirs never hides the five-letter correction the strict reading finds
    kerr = {"F:steve": "Steve", "L:kerr": "Kerr", "L:kerrey": "Kerrey"}
    counts = {"F:steve": 3, "L:kerr": 2, "L:kerrey": 2, "L:kerre": 1}
    assert misspelled_word("Steve Kerre", kerr, set(), counts, "xx", {name_key("Steve Kerrey")}) == "Steve Kerrey"


def test_a_name_is_never_corrected_into_someone_else_who_shares_a_word_with_it() -> None:
    # Review finding: "Michael Cohen" while others write "Gary Cohn" and "Michael Flynn".
    texts = [
        "Michael Cohen met the prosecutors on Tuesday in New York.",
        "Gary Cohn and Michael Flynn met the prosecutors on Tuesday in New York.",
        "Gary Cohn met the prosecutors on Tuesday in New York, officials said.",
    ]
    docs = prepare([ArticleInput(text=t, language="en", input=str(i)) for i, t in enumerate(texts)])
    assert misspelled_name_flags(docs, [0, 1, 2])[0] == []
    kerry = ["John Kerry spoke on Monday.", "Steve Kerr spoke on Monday.", "Steve Kerr spoke on Monday again."]
    docs = prepare([ArticleInput(text=t, language="xx", input=str(i)) for i, t in enumerate(kerry)])
    assert misspelled_name_flags(docs, [0, 1, 2])[0] == []


def _quoted_text_by_character(text: str) -> str:
    """The per-character reading `quoted_text` must equal (its specification, written out)."""
    out, inside = list(text), False
    for i, char in enumerate(text):
        if char == "\n":
            inside = False
        elif char in "«“" or (char == '"' and not inside and not (i and text[i - 1].isdigit())):
            inside = True  # a straight quote after a figure is inches ("a 12" pipe"), not an opening
        elif char in "»”" or char == '"':
            inside = False
        elif inside:
            out[i] = " "
    return "".join(out)


def test_quoted_text_blanks_exactly_the_quotations() -> None:
    import random

    from service.engine.spelling import quoted_text

    assert quoted_text('Il a dit « non » puis "oui".\n« Ouvert') == 'Il a dit «     » puis "   ".\n«       '
    inches = 'The suspect, 5\'11" tall, was a shocking sight.'
    assert quoted_text(inches) == inches  # inches, not a quotation
    rng = random.Random(7)
    alphabet = 'ab «»“”"\n.1'
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert quoted_text(text) == _quoted_text_by_character(text), repr(text)


def test_single_quotes_are_quotations_and_apostrophes_are_not() -> None:
    from service.engine.normalize import normalize_text
    from service.engine.spelling import quoted_text

    assert quoted_text("Boehner: '1-in-3 chance' Republicans") == "Boehner: '             ' Republicans"
    british = normalize_text("‘We don’t need it,’ he said. The players’ union agreed.")
    assert quoted_text(british) == "'                 ' he said. The players' union agreed."
    # Apostrophes blank nothing: elisions, decades, possessives (a plural one is no closing mark,
    # and "U.S.'s" opens nothing), nor does an opening mark that never closes in its paragraph.
    for text in (
        "In the '90s it was l'Etat's job.",
        "Tell 'em.\nThen 'go' home.",
        "aujourd'hui l'homme, rock 'n' roll, O'Brien, class of '89 and 'Tis the season",
        "The U.S.'s response was a shocking failure, and the allies' patience ran out.",
        "Yahoo!'s chief and (London)'s mayor heard the investors' anger.",
    ):
        assert quoted_text(text).split("\n")[0] == text.split("\n")[0], text
    assert quoted_text("Tell 'em.\nThen 'go' home.").endswith("Then '  ' home.")
    # A British quotation that goes on into the next paragraph leaves the first unclosed.
    british = normalize_text("‘We will not accept it.\n\n‘We will fight,’ she said.\n\nIt's over.")
    assert quoted_text(british) == "'" + " " * 22 + "\n\n'" + " " * 14 + "' she said.\n\nIt's over."
    # Inside a quotation, a plural possessive, a decade and "won't" do not close it.
    inside = "'The players' union won't accept this outrageous deal from the '90s,' he said."
    assert quoted_text(inside) == "'" + " " * (inside.index(",'") + 1 - 1) + "' he said."


def test_two_dates_of_one_month_are_two_facts_unless_they_share_another_word() -> None:
    """A story's facts share their month: "trouvé le 5 août" and "appris le 20 août" give two
    dates of two events, while "the June 28 special election" / "June 25" is one slot."""
    found = sentence_values("La mère du garçon trouvé seul à Marseille le 5 août a été remise en liberté.", None)
    learnt = sentence_values("La mère a été placée en garde à vue, a-t-on appris mercredi 20 août.", None)
    assert value_conflict(found, learnt) is None
    june = sentence_values("The winner will be favoured in the June 28 special election.", None)
    conflict = value_conflict(june, sentence_values("The June 25 special election is his third race.", None))
    assert conflict is not None and (conflict[0].value, conflict[1].value) == ("28", "25")
