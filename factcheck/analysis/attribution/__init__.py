"""Find vague and uncredited attributions in news sentences: "Analysts speculate...", "Reports suggest...".

A rule-based analyser in plain Python (no model, nothing downloaded).  For each sentence it finds the
*cues* (source nouns such as "analysts", "critics", "reports", "officials"; quantifiers such as "some"
or "many"; hedges such as "allegedly"; agentless passives such as "It is believed"), then decides

1. whether the cue is the **source** of a reported claim or opinion: the subject of a speech or
   cognition verb ("experts warn", "analysts have long argued", "economists are divided"), inverted
   ("..., said one analyst"), or in a source frame ("according to", "criticism from", "consensus among",
   "in the view of");
2. whether it is **credited**: a named person ("economist Paul Krugman", "Victor Cha, a Korea expert at
   CSIS,"), a named organisation ("analysts at Goldman Sachs", "Moody's analysts"), a named publication
   ("a study published in The Lancet", "a Gallup poll"), or a link over the cue.

Names are found by capitalisation: a capitalised word that does not start the sentence, or one that
starts it but does not look like a common word.  Demonyms and places ("Western diplomats", "analysts in
Washington") do not credit anyone.

The modules, in the order a sentence goes through them:

- :mod:`.kinds`: the table of kinds (severity, priority, the question each flag asks);
- :mod:`.vocabulary`: the words, as data (source nouns by kind, quantifiers, verbs of speech);
- :mod:`.tokens`: the words of a sentence, and names told from common words;
- :mod:`.patterns`: regular patterns over the raw sentence (anonymity, agentless passives);
- :mod:`.phrases`: the noun phrase around a cue (determiner, modifiers, what follows, its credits);
- :mod:`.sources`: whether a noun or a quantified group is the source of a claim, and credited;
- :mod:`.candidates`: every cue of a sentence (nouns, quantifiers, hedges, passives, anonymity);
- :mod:`.policy`: a newsroom's settings;
- :mod:`.flags`: the newsroom's policy applied, one question per flag (:func:`find_flags`).

Offsets of the returned flags are absolute into the article text.  Nothing here imports Django.
"""

from factcheck.analysis.attribution.flags import ArticleContext, article_context, find_flags
from factcheck.analysis.attribution.kinds import KINDS
from factcheck.analysis.attribution.kinds import LABELS as KIND_LABELS
from factcheck.analysis.attribution.policy import DEFAULT_POLICY, Policy

__all__ = [
    "DEFAULT_POLICY",
    "KINDS",
    "KIND_LABELS",
    "ArticleContext",
    "Policy",
    "article_context",
    "find_flags",
]
