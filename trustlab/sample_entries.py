"""The sample journal's hand-written entries: Robin's own words, table by table.

These rows carry the story that :mod:`trustlab.sample` tells; it dates them (``"MM-DD"``
is a day of the sample's summer), spreads the everyday marbles and observations around
them and writes the files. Each table's rows name their columns once, above them, so
they do not depend on the order of the schema's columns.
"""

from __future__ import annotations


def _rows(columns: str, rows: tuple[tuple, ...]) -> tuple[dict[str, object], ...]:
    """Each row as a dict, keyed by ``columns`` (the column names, separated by spaces)."""
    names = columns.split()
    return tuple(dict(zip(names, row, strict=True)) for row in rows)


# --- step 2: people and qualities -------------------------------------------

_PEOPLE = _rows("person relationship era note", (
    ("Sam", "partner", "present",
     "Together six years. In March I found out about the affair with someone from his work. "
     "We're trying, with a counsellor, one week at a time."),
    ("Priya", "friend", "present",
     "Friends since our first week at uni. Told Marco about the affair before I was ready for "
     "anyone to know, then apologised properly."),
    ("Zoë", "friend", "present", "Met at Tuesday pottery class in June. Easy to be around 🌱"),
    ("Dana", "colleague", "present",
     "We share the Hartwell project. I want this to work; it keeps not working."),
    ("Mum", "family", "present", "Loves me loudly, opinions included. Sunday calls."),
    ("Ines", "other", "present", "Neighbour across the landing; has my spare key."),
    ("Alex", "ex_partner", "past",
     "2015–2019. A lot of \"it's nothing, you're overthinking\". Much of my wariness was "
     "learned here."),
))

_QUALITIES = _rows("quality why importance", (
    ("reliability", "Small promises kept are how I learn the big ones will be.", 5),
    ("honesty",
     "I'd rather hear a hard truth than find out later. Finding out later is what hurt most.", 5),
    ("keeps confidences", "What I share stays with the person I shared it with.", 5),
    ("accountability", "Owning a mistake without needing me to comfort them about it.", 4),
    ("respects my boundaries",
     "Hearing \"no\" or \"not yet\" without sulking, pushing or bargaining.", 4),
    ("non-judgment", "I can say the messy thing and still be welcome.", 4),
    ("openness", "Telling me things before I have to ask, so I'm not left piecing it together.",
     4),
    ("warmth", "Being glad to see me, and letting it show.", 3),
))

# Observations worth a note; routine ones (no note) are spread by _routine_observations.
_OBSERVATIONS = _rows("date person quality shown note", (
    ("06-03", "Priya", "keeps confidences", "no",
     "Told Marco. I'd asked her not to tell anyone, not even him."),
    ("06-05", "Priya", "accountability", "yes",
     "Came round and said it plainly: \"I broke your trust and I'm sorry.\""),
    ("06-09", "Alex", "honesty", "no",
     "Looking back: he lied about small things so often that I stopped noticing the big ones."),
    ("06-09", "Alex", "respects my boundaries", "no",
     "Read my diary once and said it was because he cared."),
    ("06-11", "Sam", "honesty", "unsure",
     "He says that's everything. I want to believe him; I don't yet."),
    ("06-13", "Dana", "accountability", "no", "Said she'd \"just summarised\" my slides."),
    ("06-20", "Sam", "honesty", "no", "The May messages."),
    ("06-20", "Sam", "openness", "no", ""),
    ("06-21", "Sam", "accountability", "yes",
     "Didn't minimise it. Answered every question, even the ugly ones."),
    ("07-01", "Zoë", "warmth", "yes", "Hugged me hello like we've known each other for years 🤗"),
    ("07-10", "Mum", "non-judgment", "no", "The \"charming ones\" comment, again."),
    ("07-20", "Sam", "accountability", "yes",
     "- came back the next morning\n- said sorry without a \"but\"\n"
     "- asked what would help next time"),
    ("07-26", "Zoë", "keeps confidences", "yes",
     "Told her about Sam. Weeks later, nothing has come back round."),
    ("08-08", "Priya", "keeps confidences", "yes",
     "Back where we were, maybe a bit stronger for having been tested."),
    ("08-12", "Dana", "reliability", "no", "The fourth \"just this once\"."),
    ("08-19", "Mum", "respects my boundaries", "unsure",
     "Called first, then came over before I'd answered."),
    ("08-25", "Sam", "openness", "yes",
     "Told me she'd emailed him, before I could hear it anywhere else."),
    ("08-29", "Ines", "reliability", "yes", "Spare key back within the hour, no questions."),
))


# --- step 1: triggers -----------------------------------------------------------

# Early on the blame balance swings to all or nothing; later it settles somewhere fairer.
_TRIGGERS = _rows("date situation origin intensity my_share mine_to_own not_mine", (
    ("06-01", "Sam's phone lit up at 11pm and he turned it face-down", "current_relationship",
     9, 0, "", "All of it. He's the one who lied."),
    ("06-02", "Heard from Marco that Priya had told him about the affair", "other", 8, 0, "",
     "She promised. This one is on her."),
    ("06-04", "Sam said he was \"popping out\" and didn't say where", "current_relationship",
     8, 0, "", "He knows what vague does to me now, and did it anyway."),
    ("06-06", "Mum said \"you always pick the charming ones\"", "childhood", 7, 95,
     "All of it, probably. I pick badly and then act surprised.", ""),
    ("06-08", "Couldn't sleep; reread the screenshots from March", "current_relationship", 10,
     100, "If I'd been more fun, more present, he wouldn't have gone looking.", ""),
    ("06-10", "A song Alex and I used to play came on in the shop", "past_relationship", 6, 5,
     "", "He lied for four years. I was 24."),
    ("06-13", "Dana presented my work as hers in the team meeting", "other", 6, 90,
     "I should have spoken up. I always let it happen.", ""),
    ("06-17", "Dad's old line, \"don't tell anyone our business\", came back when Priya asked "
     "how I was", "childhood", 5, 0, "",
     "I was a kid. Keeping secrets for the grown-ups was never my job."),
    ("06-20", "Found the May messages between Sam and her", "current_relationship", 10, 0, "",
     "He chose to keep messaging her, and to hide it."),
    ("06-25", "Sam laughed at something on his phone and I felt sick", "current_relationship",
     7, 92, "My mind goes straight to the worst thing. That's me being broken.", ""),
    ("07-02", "Zoë didn't reply for a day and I decided she'd gone off me", "past_relationship",
     4, 60, "The story I told myself. She'd left her phone at her sister's.",
     "Alex used to go silent for days as a punishment; that's where the fear was learned."),
    ("07-08", "Priya mentioned she'd seen Marco, and my chest tightened", "other", 5, 40,
     "I'm still braced from June; she hasn't done anything new.",
     "The confidence she broke in June was hers to keep."),
    ("07-13", "Mum asked in front of my brother whether I'm \"still with him\"", "childhood", 6,
     30, "I could tell her before Sunday lunch what I'm willing to talk about.",
     "Asking in front of everyone was her choice."),
    ("07-18", "Sam got defensive when I asked about his phone", "current_relationship", 7, 40,
     "I asked in an accusing voice, at the end of a long day.",
     "Getting defensive instead of just answering, and the reason I have to ask at all."),
    ("07-25", "Walked past the restaurant where Alex used to take me", "past_relationship", 3,
     20, "How long I stayed after the first lie.", "The lying itself. I didn't make him do it."),
    ("07-29", "Dana cc'd my manager on a complaint about me", "other", 7, 30,
     "I didn't flag the late handoffs in writing sooner.",
     "Going over my head without a word to me first."),
    ("08-04", "Sam went to work drinks; she works two floors up", "current_relationship", 6,
     35, "Checking my phone every ten minutes made it worse; next time I'll put a film on.",
     "The reason I can't just relax about it: that's what the affair did."),
    ("08-11", "At a barbecue, a friend-of-a-friend asked \"so are you two OK now?\"", "other",
     4, 25, "Answering more than I wanted to.", "Asking something that personal at a party."),
    ("08-18", "Found an old birthday card from Alex in a box", "past_relationship", 3, 30,
     "Keeping the box for five years \"just in case\".",
     "What the card promised and he never did."),
    ("08-22", "Sam forgot to text when his train was delayed", "current_relationship", 5, 50,
     "I went from \"delayed train\" to \"affair\" in four minutes. I can notice that jump now.",
     "He did say he'd text. Small, but it matters right now."),
    ("08-27", "Mum's voice on the phone sounded like it did the year Dad left", "childhood", 5,
     45, "I can tell her I'm worried instead of bracing for bad news.",
     "What happened with Dad was between them, not me."),
    ("08-30", "Her name came up at dinner with Sam's colleagues", "current_relationship", 4, 50,
     "I can let it show on my face, and say it stung, without putting him on trial.",
     "The history that makes it sting is his doing."),
))


# --- step 3: red flags and promises to myself ---------------------------------------

# Painted green early on; heeded more and more as self-trust grows.
_RED_FLAGS = _rows("date person flag response note", (
    ("06-03", "Sam", "Deleted a thread before handing me his phone", "painted_green",
     "Told myself it was just the football group."),
    ("06-10", "Alex", "Remembered: he always had a story for where he'd been", "heeded",
     "I did leave in the end. It took too long, but I did."),
    ("06-12", "Dana", "Presented my analysis as \"the team's\", then as hers", "painted_green",
     "She's under a lot of pressure, I said."),
    ("06-16", "Mum", "Told Auntie Jo about Sam after I asked her to keep it between us",
     "painted_green", "\"She's just worried about you.\" Maybe. It still wasn't hers to tell."),
    ("06-19", "Sam", "Still follows her online; said he \"forgot\" to unfollow", "watching", ""),
    ("06-20", "Sam", "Messages with her in May that he hadn't told me about", "heeded",
     "Said so the same evening, calmly. We paused and took it to counselling."),
    ("07-01", "Dana", "Missed the handoff a third time and blamed the client", "heeded",
     "Raised it with Femi in our one-to-one. Facts only, no adjectives."),
    ("07-08", "Priya", "Asked how Sam and I are \"really\" doing in front of the book club",
     "watching", "Probably clumsy, not careless. Watching, not building a case."),
    ("07-15", "Mum", "Read my texts over my shoulder", "heeded",
     "Asked her not to. She huffed, then stopped."),
    ("07-18", "Sam", "Got defensive when I asked why his phone was face-down", "watching",
     "We talked the next morning. Noting it in case it becomes a pattern."),
    ("07-29", "Dana", "Cc'd my manager on a complaint about me without talking to me first",
     "heeded", "Asked for a three-way meeting and brought the email trail."),
    ("08-05", "Sam", "Vague about who was at the work drinks", "heeded",
     "Asked him straight. He told me, and offered to show me the photos. Felt OK after."),
    ("08-12", "Dana", "Asked me to cover for her \"just this once\" (the fourth once)", "heeded",
     "Said no. Kindly, and without a long explanation 🎉"),
    ("08-20", "", "A friend-of-a-friend at the barbecue kept pushing for details about Sam",
     "heeded", "Changed the subject, then left early. No guilt."),
    ("08-26", "Zoë", "Cancelled twice in a row", "watching",
     "Probably just the move. Noting it, not writing a story about it."),
))

# Early promises are often broken; later ones are kept more often; the newest are open.
_PROMISES = _rows("date promise kept", (
    ("06-01", "Write in this journal at least three times a week", "yes"),
    ("06-01", "Check Sam's phone no more than once a day", "no"),
    ("06-03", "Tell Priya how it felt, instead of going quiet", "partly"),
    ("06-08", "Be in bed by 11:30, not scrolling through old messages", "no"),
    ("06-15", "Say no to Dana's extra work when my plate is full", "no"),
    ("06-22", "Name a red flag out loud within a day of noticing it", "yes"),
    ("06-29", "Book counselling just for me, separate from the couples sessions", "yes"),
    ("07-06", "Keep going to Tuesday pottery, even when I'm tired", "yes"),
    ("07-13", "Stop rehearsing arguments in the shower", "partly"),
    ("07-20", "Ask for what I need instead of hinting", "partly"),
    ("07-27", "Say no to Dana's extra work when my plate is full", "yes"),
    ("08-03", "Don't open Sam's location \"just to see\"", "yes"),
    ("08-10", "Tell Mum, kindly, that Sam and I are not a topic for Sunday lunch", "yes"),
    ("08-17", "One evening a week with friends, without Sam", "partly"),
    ("08-24", "Stay at parties only as long as I actually want to", "yes"),
    ("08-28", "Trust my first read on people for a week, and write down what happens", ""),
    ("08-31", "Talk with Sam about the holidays before anyone books anything", ""),
))


# --- step 4: thought records ---------------------------------------------------------


def _visits(*visits: tuple) -> tuple[dict[str, object], ...]:
    """The thought records of one belief: each time Robin came back to it."""
    return _rows("date before evidence possible after", visits)


_BELIEFS = _rows("belief opposite visits", (
    ("I'm not loveable. If I were, Sam wouldn't have looked elsewhere.",
     "I am loveable, and Sam's choice says more about him than about me.", _visits(
         ("06-05", 90, "Priya came round within a day. Mum calls every Sunday.",
          "It's possible that the affair was about Sam's choices, not my worth.", 75),
         ("06-26", 80, "Sam is working hard to stay. Zoë seeks me out at class.",
          "It's possible that people like being around me, even now.", 65),
         ("07-17", 70, "Three people checked in on my bad day without being asked.",
          "It's possible that I'm loved in ways I've been too hurt to notice.", 50),
         ("08-14", 55, "Zoë's birthday picnic, Priya's soup, Ines's apricots, Sam's letter.",
          "It's possible that I'm loveable as I am, tired and unsure included.", 35),
     )),
    ("I can't trust my own judgment about people.",
     "My judgment is mostly sound, and it's getting sharper.", _visits(
         ("06-07", 95, "I noticed something was off with Sam in January; I just didn't act on it.",
          "It's possible my gut was right and I talked myself out of it.", 85),
         ("07-02", 85, "I picked Zoë out as kind in the first week, and she is.",
          "It's possible I can trust my first read more than I think.", 70),
         ("07-24", 70, "Red flag log: I heeded the last four. I named the May messages the "
          "same day.", "It's possible I'm learning to listen to myself.", 50),
         ("08-28", 55, "I said no to Dana and it was the right call. I left the barbecue when "
          "I wanted to.", "It's possible that trusting myself is a skill, and I'm practising.",
          None),
     )),
    ("If I let my guard down, I'll get hurt again.",
     "I can let people in a little at a time, and I'll cope if it goes wrong.", _visits(
         ("06-14", 85, "I got through March. I'm still here, still working, still making bowls.",
          "It's possible that being hurt again wouldn't destroy me.", 80),
         ("07-09", 75, "I told Priya something small and private, and it stayed with her.",
          "It's possible that small risks with safe people are worth taking.", 60),
         ("08-06", 60, "Zoë, Ines and Priya have each had a bit of my trust, and kept it.",
          "It's possible that letting my guard down with the right people is how I get safe.",
          45),
     )),
    ("Asking for help makes me a burden.",
     "People who care about me are glad to be asked.", _visits(
         ("06-19", 70, "Ines said \"any time, really\", then asked me to feed her cat the week "
          "after.", "It's possible that asking is part of how closeness works.", 55),
         ("07-22", 55, "Zoë lit up when I asked for a lift. Sam said the weekly check-in was a "
          "relief for him too.", "It's possible that people like being trusted with small "
          "things.", 40),
         ("08-20", 45, "I asked for four things this month; three were met warmly.",
          "It's possible that asking is a gift, not a weight.", 30),
     )),
))


# --- step 5: small steps ----------------------------------------------------------

_STEPS = _rows("date person kind step response note", (
    ("06-04", "Priya", "asked", "Asked her to tell me who else she'd told", "warm",
     "She listed everyone (just Marco), and apologised without excuses."),
    ("06-09", "Sam", "gave", "Told him one thing that still hurts. Only one.", "neutral",
     "He listened but went quiet. A hug afterwards."),
    ("06-11", "Zoë", "gave", "Said yes to coffee after class", "warm", ""),
    ("06-16", "Dana", "asked", "Asked her to send me the draft by Thursday", "cold",
     "It came on Monday."),
    ("06-18", "Mum", "asked", "Asked her not to bring up the affair at family dinner",
     "neutral", "She didn't, but she sighed a lot."),
    ("06-23", "Sam", "asked", "Asked him to go through the May messages with me, together",
     "warm", "Hard, but he didn't argue or hurry me."),
    ("06-24", "Sam", "asked", "Asked for a weekly check-in on Sunday evenings, phones in the "
     "other room", "warm", "He said yes before I'd finished the sentence."),
    ("06-30", "Zoë", "asked", "Asked for a lift to the glaze workshop", "warm", ""),
    ("07-03", "Ines", "gave", "Left banana bread on her doormat", "warm",
     "A thank-you note came back with a drawing of a cat 🐈"),
    ("07-07", "Priya", "gave", "Told her something small and private, to test the water",
     "warm", "It stayed with her."),
    ("07-12", "Dana", "gave", "Offered to pair with her on the forecast model", "cold",
     "\"I'm fine, thanks.\" Then asked for my notes the next day."),
    ("07-14", "Sam", "gave", "Shared a memory from before: the trip to the coast, the flat tyre",
     "warm", "We laughed. Both of us."),
    ("07-19", "Mum", "gave", "Told her I'm seeing a counsellor of my own", "warm",
     "She said \"good, I'm proud of you\". I didn't expect that."),
    ("07-21", "Ines", "asked", "Asked her to keep an eye on the flat while I'm at Mum's",
     "warm", ""),
    ("07-26", "Zoë", "gave", "Told her the real reason I was so quiet in June", "warm",
     "We sat on the wall outside class for an hour.\nShe didn't try to fix anything.\n"
     "She asked what I needed, and said she'd be around."),
    ("08-02", "Dana", "asked", "Asked her to copy me into client emails about my part",
     "neutral", "Did it twice, then forgot."),
    ("08-04", "Ines", "asked", "Asked her to take in a parcel", "warm", ""),
    ("08-09", "Sam", "gave", "Left my phone unlocked on the table, on purpose", "neutral",
     "He didn't notice, which is maybe the point."),
    ("08-13", "Priya", "asked", "Asked her to come with me to the barbecue", "warm", ""),
    ("08-19", "Mum", "asked", "Asked her to call before dropping by", "cold",
     "Said I'm being very formal with my own mother. We'll see."),
    ("08-22", "Zoë", "asked", "Asked if she'd like a weekend by the sea in September",
     "pending", ""),
    ("08-27", "Sam", "asked", "Asked him to tell me himself if she ever contacts him again",
     "warm", "\"Of course. The same day.\""),
    ("08-29", "Dana", "gave", "Sent a clear, friendly note about who owns which part of the "
     "report", "pending", ""),
    ("08-30", "Sam", "gave", "Suggested we plan something small for our anniversary",
     "pending", ""),
    ("08-31", "Mum", "gave", "Invited her to the pottery open studio", "pending", ""),
))


_COACH_NOTES = _rows("date report section note", (
    ("08-04", "sample-july", "report",
     "Thank you for sharing July. Let's start next time with the moment you chose."),
    ("08-04", "sample-july", "marbles",
     "Sam's jar keeps filling in small, ordinary ways. What do you notice when it does?"),
    ("08-04", "sample-july", "self_trust",
     "You heeded most of the red flags you noted. That is self-trust growing."),
))
"""What Robin's coach wrote back on the July report (trustlab import-reply)."""
