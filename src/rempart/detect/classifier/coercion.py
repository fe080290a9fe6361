"""Rules for what a counsellor must see first, which the training data hardly holds: threats
against a group or wished on someone, threats a victim reports ("si je parle il me retrouve"),
conditional threats and blackmail, sextortion, grooming; and the negations and quotations that
must not trigger them.

Every pattern works on the normalised text (``normalize``: lowercase, no accents, chat spellings
expanded). The scores are combined with the model's (maximum) in ``model.Classifier``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Groups protected by the hate-speech law (origin, religion, sex, orientation, gender identity,
# disability), as a plural noun phrase after normalisation.
GROUP = (r"\b(?:(?:les|des|ces|tous les|toutes les|vous les|sales?)\s+)?(?:personnes\s+|gens\s+)?"
         r"(?:femmes|filles|meufs|musulman(?:e)?s|juif(?:ve)?s|juives|noir(?:e)?s|blacks|renois|"
         r"arabes|rebeus|beurs|maghrebins|africains|asiatiques|chinois|gays|homos|homosexuel(?:le)?s|"
         r"lesbiennes|gouines|trans|transgenres|pedes|tarlouzes|handicape(?:e)?s|autistes|"
         r"immigre(?:e)?s|migrants|etrangers|refugie(?:e)?s|roms|gitans|tziganes|chretiens|"
         r"catholiques|feujs|bougnoules|negres|youpins|portugais|hindous|bi|bisexuel(?:le)?s|"
         r"non-binaires|sourds|aveugles|trisomiques|mongols|gitanes|turcs|polonais|indiens|"
         r"asiat(?:ique)?s|noichs|bridees?|voilees)(?:\s+(?:voilee?s|du quartier|de ce "
         r"quartier|d'ici|de la fac))?\b")
_KILL = (r"(?:tuer|buter|egorger|bruler|cramer|exterminer|massacrer|pendre|gazer|fusiller|"
         r"eliminer|abattre|lyncher|defoncer|frapper|tabasser|noyer|decapiter|violer|atomiser|"
         r"jeter du haut \w+ \w+|faire taire definitivement|chasser a coups? de \w+|"
         r"ratonner|deporter|enfermer dans des camps)")
_KILLED = (r"(?:tue(?:e)?s?|exterminee?s?|pendue?s?|brulee?s?|gazee?s?|fusillee?s?|eliminee?s?|"
           r"abattue?s?|massacree?s?|lynchee?s?|egorgee?s?|decapitee?s?|violee?s?|noyee?s?|"
           r"deportee?s?|battue?s?|frappee?s?|butee?s?)")
_DIE = (r"(?:mourir|crever|disparaitre|y passer|se faire (?:tuer|buter|lyncher|frapper|violer|"
        r"egorger|defoncer|tabasser)|etre " + _KILLED + r"|la mort|une balle|etre rayee?s? de la "
        r"carte)")

_GROUP_THREAT = re.compile(
    # "je vais tuer tous les X", "on va bruler les maisons des X"
    r"\b(?:je|j'|on|nous|ils)\s*(?:vais|va|allons|vont|veux|voudrais)\s+(?:tous\s+|toutes\s+)?"
    + _KILL + r"\s+(?:tous\s+|toutes\s+)?(?:les\s+\w+\s+(?:des|de ces)\s+)?" + GROUP + r"|"
    # "les X devraient etre extermines", "les X meritent de mourir"
    + GROUP + r"\s+(?:devraient|doivent|meritent|mériteraient|meriteraient|vont|iront)\s+"
    r"(?:tous\s+|toutes\s+)?(?:de\s+)?" + _DIE + r"|"
    # "il faudrait pendre tous les X", "il faut tous les eliminer", "les X, il faut les gazer"
    r"\b(?:il |on )?(?:faut|faudrait|faudra|devrait|devraient|doit|doivent)\s+(?:tous\s+|"
    r"toutes\s+)?(?:les\s+|vous\s+|tous les\s+|toutes les\s+)?" + _KILL + r"\b|"
    r"\b(?:on|nous|je)\s+(?:va|vas|allons|vais|arrive|arrivons|vient|viens)\s+(?:vous\s+|les\s+|"
    r"tout\s+)?(?:\w+\s+){0,2}(?:cramer|bruler|chasser|massacrer|tuer|buter|exterminer|"
    r"avec des (?:battes|barres|couteaux|armes|flingues|machettes))\b|"
    r"\b(?:vont|allez) (?:tous )?(?:le )?payer\b|\bavec (?:les gens|eux|elles) dedans\b|"
    r"\b(?:qu'on|que l'on|on devrait|on doit|faut)\s+(?:tous\s+|toutes\s+)?les\s+" + _KILL + r"|"
    r"\bmort aux?\s+\w+|\bdeath to\b|"
    r"\b(?:kill|hang|burn|shoot|exterminate|gas)\s+(?:all\s+)?(?:the\s+)?(?:women|muslims|jews|"
    r"blacks|arabs|gays|trans|immigrants|refugees)")
# A harm wished on someone ("elle devrait disparaitre", "il merite de mourir ce batard").
_WISHED_HARM = re.compile(
    r"\b(?:il|elle|ils|elles|ce \w+|cette \w+|cet \w+|ces \w+|les \w+(?: comme toi)?|"
    r"sa mere|son pere|ta mere|lui)\s+(?:devrai(?:t|ent)|doi(?:t|vent)|merite(?:nt)?|"
    r"meriterai(?:t|ent)|va|vont)\s+(?:de\s+)?" + _DIE + r"|"
    r"\bj'espere (?:qu'(?:il|elle|ils|elles|tu)|que (?:tu|ta|ton|ce|cette))\s+(?:\w+\s+){0,3}"
    r"(?:creve|crever|meurt|meure|mourir|mourra|va mourir|se fera (?:tuer|violer|frapper)|"
    r"attrape (?:une|le) (?:cancer|maladie))|"
    r"\b(?:merite|meriterait|meriterais) (?:de (?:se faire |)?(?:tuer|lyncher|frapper|crever|"
    r"mourir|violer|tabasser|defoncer)|la mort|une balle|qu'on (?:le|la|te) (?:tue|frappe|"
    r"bute|casse))|"
    r"\b(?:on|quelqu'un) (?:devrait|va) (?:te|le|la|lui) (?:\w+\s+)?(?:foutre une balle|tuer|"
    r"buter|crever|casser les dents|defoncer)|"
    r"\bje (?:le|la|les) (?:bute|tue|egorge|crame|defonce|plante|massacre|fume)\b")
# A first-person threat in the present ("je t'eclate les dents", "je te fracasse").
_DIRECT = re.compile(
    r"\b(?:je|j'|on)\s*(?:te|t'|vous)\s*(?:\w+\s+)?(?:eclate|fracasse|defonce|tue|bute|frappe|"
    r"casse|cogne|massacre|crame|brule|plante|egorge|tabasse|demonte|nique|fume|creve|saigne|"
    r"etrangle|noie|pete|fais bouffer|refais le portrait|retrouve|"
    r"attends? (?:a la sortie|devant))\b|"
    r"\b(?:ta|ton|tes) (?:famille|mere|pere|soeur|frere|parents|potes)\s+(?:le |la )?"
    r"(?:paiera|paieront|va payer|vont payer|va souffrir|vont souffrir|y passera|y passeront)|"
    r"\bla prochaine fois (?:c'est|ce sera) (?:pas )?(?:toi|ta|ton|tes)|"
    r"(?:^|[.!?,] ?)(?:vas?[- ]y,? )?creve\b(?! de (?:faim|chaud|froid|fatigue))|"
    r"\bje (?:te|vous|lui) souhaite (?:un cancer|de mourir|de crever|la mort|une sale maladie|"
    r"de te faire)|\bqu'(?:il|elle|ils|elles) (?:meure|meurent|creve|crevent)\b|"
    r"\bmeriterai(?:t|ent) une balle|\b(?:quelqu'un|on) (?:te|le|la|les) pousse sous|"
    r"\bon (?:va te|vas te|va vous) faire (?:la misere|la peau|du mal|regretter)|"
    r"\b(?:ta|votre) (?:baraque|maison|voiture|bagnole) (?:en feu|brule|va bruler|cramee?)|"
    r"\bje sais ou (?:vous|tu) (?:garez|gares|habitez|habites|vivez|vis|dormez|dors)|"
    r"\bon regle (?:ca|ça) (?:a|devant) la sortie|\bdes gens viendront te rendre visite")
# Threats told in other words: deadlines, disappearances, being found.
_VEILED = re.compile(
    r"\btu finiras (?:dans un|sous|a l'hopital|six pieds)|\b(?:t'es|tu seras) plus de ce monde|"
    r"\btu (?:ne )?(?:vas pas|va pas|verras pas|passeras pas|finiras pas|feras pas)\s+"
    r"(?:passer |finir |voir |vivre )?(?:la fin de |le bout de )?(?:la|le|l'|cette|ce)\s*"
    r"(?:semaine|nuit|annee|journee|week-end|mois|ete|soiree|hiver|vacances)|"
    r"\bje (?:connais|sais|ai) ton adresse|"
    r"\b(?:vous|vous tous|toi et (?:ta|ton|tes) \w+(?: vous)?) (?:allez|aller) (?:tous )?"
    r"(?:mourir|crever|souffrir|payer|y passer|le regretter|saigner)|"
    r"\bje (?:vais |)(?:te |)(?:trouver|retrouver) (?:et|ou que)|\bje te trouverai\b|"
    r"\bi (?:will|'ll) find you\b|\bwe know where you live\b|"
    r"\bje passe (?:ce soir|demain|chez toi)\b.*\b(?:adresse|chez toi|tu vas)|"
    r"\bon (?:va|vas) (?:t'apprendre|te montrer) (?:comment|ce que|la vie)|"
    r"\btu (?:vas|va) comprendre (?:ta douleur|ce qui|ce que)|"
    r"\b(?:t'as|tu as) raison d'avoir peur\b")
# A victim telling of a threat made to them ("si je parle il me retrouve a la sortie").
_REPORTED_THREAT = re.compile(
    r"\b(?:il|elle|ils|elles|on)\s+(?:va|vont|veut|veulent|menace de|menacent de|m'a menacee? de|"
    r"m'ont menacee? de|a dit qu'il allait|a dit qu'elle allait|a dit qu'ils allaient)\s+me\s+"
    r"(?:\w+\s+)?(?:tuer|frapper|retrouver|defoncer|buter|tabasser|casser|attendre|violer|"
    r"bruler|planter|egorger|faire du mal|faire la peau)|"
    r"\bsi je (?:parle|dis|le dis|raconte|porte plainte|vais voir)\b.{0,40}\b(?:il|elle|ils|elles|"
    r"on)\s+(?:me|m')\s*(?:\w+\s+)?(?:retrouve|tue|frappe|defonce|bute|attend|tabasse|fait|"
    r"retrouvera|tuera|frappera|massacre)|"
    r"\b(?:m'a|m'ont|a|ont) (?:dit|ecrit|promis|jure) (?:qu'(?:il|elle|ils|elles|on) "
    r"(?:allai(?:t|ent)|va|vont|voulai(?:t|ent)|veu(?:t|lent)) me (?:\w+\s+)?(?:tuer|frapper|"
    r"retrouver|defoncer|buter|violer|tabasser|casser|faire du mal|faire la peau|attendre))")
_REPORTED_LOOSE = re.compile(
    r"\b(?:dit|ecrit|hurle|crie|jure|promis|menace)\s+(?:que |qu')?(?:si .{0,40})?(?:il|elle|ils|"
    r"elles|on)\s+(?:allai(?:t|ent)|va|vont|viendra|viendront|voulai(?:t|ent)|veu(?:t|lent))\b"
    r".{0,50}\b(?:tuer|frapper|tabasser|crever|buter|defoncer|bruler|violer|casser|egorger|"
    r"planter|massacrer|me faire du mal)")
# Conditions and orders backed by a threat ("fais ce que je dis ou...", "t'as interet a...").
_CONDITIONAL = re.compile(
    r"\bsinon\b.{0,30}\b(?:je|j'|on)\s+(?:m'occupe de (?:toi|ta|ton|vous)|te\s+\w+|t'\w+|"
    r"vais te|va te|viens te|viens chez toi|passe chez toi)|"
    r"\bsinon\b.{0,30}\b(?:t'es mort|tu vas (?:le )?(?:payer|regretter|souffrir|voir)|"
    r"ta (?:famille|mere|soeur)|tes (?:parents|freres))|"
    r"\bt'as interet a (?:te taire|fermer ta|rien dire|pas parler|ne rien dire|venir|payer|obeir|"
    r"faire ce|retirer|supprimer|m'envoyer|me rendre)|"
    r"\b(?:fais|faites|dis|donne|envoie|paie|paye|retire|supprime)\b.{0,40}\bou (?:je|j'|on)\s+"
    r"(?:te|t'|vous|ta|la|le|les)\s*\w+|"
    r"\bsi tu (?:\w+\s+){0,6}(?:je|on)\s+(?:te|t')\s*(?:\w+\s+)?(?:casse|defonce|tue|bute|frappe|"
    r"retrouve|attends|eclate|fume|massacre)|"
    r"\b(?:et|ou|sinon)\s+(?:je|j'|on)\s+(?:viens\s+(?:chez toi\s+)?)?(?:te|t'|vous)\s*(?:\w+\s+)?"
    r"(?:eclate|fracasse|defonce|tue|bute|frappe|casse|cogne|massacre|crame|brule|plante|egorge|"
    r"tabasse|fais bouffer)|\bretire ta plainte\b|\btu dis un mot\b.{0,40}\b(?:paiera|payer|mort)")

_MEDIA = (r"(?:photos?|videos?|nudes?|images?|captures?|snaps?|pics?|vids?|sextape|screens?|"
          r"cam|webcam|enregistre|enregistrement|ce que tu m'as envoye)")
_RELEASE = (r"(?:montre|montrer|montrera|publie|publier|balance|balancer|diffuse|diffuser|"
            r"diffusera|poste|poster|envoie a|envoyer a|partage|partager|jpartage|leak|verra|"
            r"verront|verras|voie|voient|part|partent|circuler|circulent|tourner|tournent|affiche|"
            r"afficher|mets? en ligne|mets sur|la mets|les mets|seront sur|sera sur|finit sur|"
            r"finissent sur|restera entre nous|j'efface)")
_CONDITION = (r"(?:\bsinon\b|\bou (?:je|j'|jpartage|on|tout le monde|tes|ta|toute|ca)|"
              r"\b\d+ ?(?:euros|€|balles|e)\b|\btu paies\b|\btu payes\b|\bsois gentille?\b|"
              r"\btu fais (?:exactement )?ce que je dis|\bsi (?:je|j') (?:viens|fais|envoie|lui)|"
              r"\bsi tu dis\b|\btu veux que (?:ta|ton|tes|tout)|\bsi tu (?:me |m')?"
              r"(?:bloques|quittes|sors|parles|dis|refuses|m'envoies pas|envoies pas|fais pas|"
              r"viens pas|paies pas|payes pas|racontes|previens|portes plainte)|\bsi t'(?:envoies|"
              r"fais) pas|\btant que|\bje garde\b|\bpaie|\bpaye|\bvire)")
_SEXTORTION_EN = re.compile(r"\b(?:i (?:will|'ll)|or i) (?:post|leak|share|send) your "
                            r"(?:nudes|pics|photos|videos)")
_OFFER = re.compile(r"\bsi tu (?:veux|preferes|es d'accord|en as besoin)|\bsi ca te (?:dit|va)")

_AGE_QUESTION = re.compile(r"\b(?:t'as|tu as|t'a|vous avez) quel age|\bt'es en quelle classe|"
                           r"\btu es en quelle classe|\bhow old are you")
_PHOTO_REQUEST = re.compile(r"\b(?:envoie|envoies|envoyer|montre|montrer|fais voir|send|"
                            r"m'envoies|m'envoie|allume ta)\b.{0,30}\b(?:photo|video|pic|selfie|"
                            r"cam|nude)")
_BODY_PHOTO = re.compile(r"\b(?:en maillot|en sous-vetements|en culotte|en pyjama|en serviette|"
                         r"de ton corps|sans (?:ton |tes )?(?:haut|habits|vetements)|sexy|"
                         r"toute seule dans ta chambre)")
_SECRECY = re.compile(
    r"\b(?:tes parents|ta mere|ton pere|ta famille|personne|tes potes|ta daronne|ton daron)\s+"
    r"(?:ne\s+)?(?:doi(?:t|vent)|doit|faut|peu(?:t|vent)|va|vont)?\s*(?:pas|rien|jamais)\s+"
    r"(?:le\s+)?(?:savoir|voir|lire|etre au courant)|"
    r"\b(?:pour|afin) (?:que|qu')\s*(?:ta mere|tes parents|ton pere|personne|ta famille)\s+"
    r"(?:ne\s+)?(?:la |le |les |l')?(?:voi(?:e|ent)|lise(?:nt)?|sache(?:nt)?)|"
    r"\b(?:efface|effacer|effaces|supprime|supprimer|supprimes)\s+(?:bien\s+)?(?:nos|mes|la|les|"
    r"cette|notre)\s+(?:messages|conversation|discussion|conv|echanges|photos?)\b.{0,40}"
    r"(?:apres|d'accord|ta mere|tes parents|personne|pour que|des que)|"
    r"\bnotre (?:petit )?secret\b.{0,40}\b(?:tes parents|ta mere|ton pere|personne|entre nous)|"
    r"\b(?:tes parents|ta mere|ton pere|personne)\b.{0,40}\bnotre (?:petit )?secret|"
    r"\bdis(?:-le| le)? (?:a |rien a )?personne\b.{0,30}\b(?:qu'on|nous|on se)|"
    r"\b(?:ne )?(?:dis|raconte|montre) (?:rien|pas ca|pas nos messages) a (?:tes parents|ta mere|"
    r"ton pere|personne)|\bils? (?:ne )?(?:doivent|doit) (?:pas|rien|jamais) (?:savoir|voir) "
    r"(?:qu'on|que tu|nos|ce qu'on)|"
    r"\bsans (?:le )?dire a (?:personne|tes parents|ta mere)|\ben secret\b.{0,30}\b(?:voir|"
    r"rencontrer|retrouver)|\bdon't tell (?:your parents|anyone)")
_MEETING = re.compile(r"\b(?:on se voit|rendez-vous|je viens te chercher|viens chez moi|"
                      r"je passe te prendre|on se retrouve|rejoins-moi|je t'attends)\b")
_AGE_NUMBER = re.compile(r"\b(?:t'as|tu as|toi|t'es|tes|tu fetes tes|et toi)\s*(?:\w+\s+){0,2}"
                         r"(?:[5-9]|1[0-6]) ans\b|\ben (?:6e|5e|4e|3e|cm1|cm2)\b|"
                         r"\btu es en (?:6e|5e|4e|3e|sixieme|cinquieme|quatrieme)")
_ADULT_APPROACH = re.compile(
    r"\bl'age c'est (?:qu'un|juste un) chiffre|\bpas comme les (?:filles|gamines|garcons|autres) "
    r"de (?:ta classe|ton age)|\bplus (?:intelligente?|mature|mure?) que les (?:gamines|filles|"
    r"autres)|\b(?:t'es|tu es) (?:seule?|tout seule?) (?:chez toi|a la maison)|\bplus discret\b|"
    r"\bn'en parle a personne|\bdis a ta mere que tu vas|\bsupprime l'appli|\befface nos "
    r"(?:conversations|discussions|messages)|\bconnexion entre nous|\bma (?:princesse|cherie)\b|"
    r"\bca reste entre nous|\bfaudra venir (?:le )?chercher (?:toute )?seule?|\bdans ton lit\b|"
    r"\bsans ton (?:t-shirt|haut|pantalon)|\bdevant le miroir\b|\bwebcam dans ta chambre|"
    r"\btes parents (?:te )?comprennent pas|\bpasse te chercher apres (?:le college|l'ecole|"
    r"les cours)")
_MATURE = re.compile(r"\b(?:t'es|tu es|tu fais) (?:tres |si |trop |vraiment )?(?:mature|grande|"
                     r"adulte|femme) pour (?:ton age|tes \d+ ans|une fille de \d+ ans|\d+ ans)")

# Negations of the aggression itself ("je ne vais pas te frapper", "les X ne sont pas des...").
_NEGATED = re.compile(
    r"\b(?:je|j'|on|nous|il|elle|ils|elles)\s*(?:ne|n')\s*(?:\w+\s+)?(?:vais|va|vont|allons|"
    r"veux|deteste|hais|pense|crois|dis|menace|ferai|ferais)\s+(?:jamais|pas|plus|rien)\b|"
    r"\b(?:je|j'|on) n'ai (?:jamais|pas) (?:pense|dit|cru|ecrit|voulu)|"
    r"\b(?:ne|n')\s*(?:sont|est|etaient|etait|seront)\s+(?:pas|jamais|plus)\s+(?:des|une|un|"
    r"du|de|inferieur|moins)|"
    r"\bpersonne (?:ne )?(?:va|vas|devrait|doit|merite|a le droit|peut)\b|"
    r"\b(?:je|on) (?:vais|va) pas (?:te|vous|t'|les|la|le)\b|"
    r"\b(?:je|on) (?:vais|va) pas (?:te|vous|les|le|la) (?:laisser|abandonner)|"
    r"\bje (?:ne )?(?:te|vous) (?:ferai|ferais) (?:jamais|pas) de mal|\bpromis\b.*\bpas de mal|"
    r"\b(?:not|never) (?:going to|gonna) (?:hurt|kill)")
# A quoted phrase ("« ... »" or "...") commented on from outside: counter-speech or a report.
_QUOTED = re.compile(r"«[^»]{2,200}»|\"[^\"]{2,200}\"|“[^”]{2,200}”|"
                     r"(?:(?<=\s)|^)'[^']{4,120}'(?=\s|[.,!?]|$)")
_ABOUT_QUOTE = re.compile(
    r"\b(?:dire|dit|disent|ecrire|ecrit|ecrivent|ecris|poste|publie|lire|lu|tague|signale|"
    r"signaler|inacceptable|inadmissible|honte|odieux|degueulasse de|betise|comment peut-on|"
    r"c'est (?:raciste|homophobe|sexiste|grave|interdit|puni)|il faut|faut|stop|arretez|quand tu)"
    r"\b")
# Counter-speech by reference ("ceux qui insultent les X devraient avoir honte").
_COUNTER_REFERENCE = re.compile(
    r"\b(?:ceux|celles|les gens|les personnes|les comptes|les commentaires|les messages|"
    r"les propos|ce compte|ces comptes|ces messages|ces propos)\s+qui\s+(?:\w+\s+){0,3}"
    r"(?:insultent|menacent|harcelent|attaquent|disent|ecrivent|pretendent|appellent a|"
    r"traitent|se moquent|publient|postent|insulte|menace|harcele|appelle a|dit|ecrit)\b|"
    r"\b(?:je signale|j'ai signale|on signale|signalez) (?:ce|ces|le|les|tous)\b|"
    r"\b(?:stop|non|halte) (?:au|a l')\s*(?:racisme|sexisme|harcelement|homophobie|"
    r"antisemitisme|transphobie|validisme)|\barrete de generaliser|\bont les memes droits|"
    r"\bcondamnee? pour (?:incitation|injure|diffamation|harcelement)|\b(?:se fait|s'est fait|"
    r"se faire|se faisait) (?:traiter|insulter|agresser)|\bce que (?:t'as|tu as) dit sur\b"
    r".{0,40}\b(?:faux|degueulasse|honte)|\bsont pas tous des\b")


@dataclass(frozen=True)
class CoercionScores:
    threat: float
    sextortion: float
    grooming: float
    negated: bool
    quoted: bool
    quoted_threat_to_me: bool  # a victim quoting a threat made to them: still a threat
    threat_reason: str = ""  # which rule: a key of ``labels.REASONS``
    grooming_reason: str = ""


def sextortion_score(normalised: str) -> float:
    """A threat to show someone's pictures or videos, with a condition, a demand or a hold."""
    if _SEXTORTION_EN.search(normalised):
        return 0.95
    # A demand for pictures backed by a threat ("envoie une photo... sinon je dis tout").
    if _PHOTO_REQUEST.search(normalised) and re.search(r"\bsinon\b|\bou (?:je|j'|on)\s+\w+",
                                                       normalised):
        return 0.9
    if not (re.search(r"\b" + _MEDIA + r"\b", normalised) and re.search(_RELEASE, normalised)):
        return 0.0
    if _OFFER.search(normalised) or _NEGATED.search(normalised):
        return 0.0
    if re.search(_CONDITION, normalised):
        return 0.95
    # "je vais publier tes photos", "tout le monde verra tes videos"
    if re.search(r"\b(?:je|j'|on)\s*(?:vais|va)\s+\w+\s+(?:tes|ta|vos|nos)\s+" + _MEDIA
                 + r"|\btout le monde (?:va voir|verra|les verra)", normalised):
        return 0.9
    return 0.0


def grooming_reason(normalised: str) -> str:
    """An adult's approach of a child: photo requests with the age, secrecy, secret meetings,
    flattery of maturity. One of these is enough to show the counsellor; "" when none."""
    photo = bool(_PHOTO_REQUEST.search(normalised))
    if _AGE_QUESTION.search(normalised) and (photo or _MEETING.search(normalised)):
        return "grooming_age_photo"
    if _MATURE.search(normalised):
        return "grooming_mature"
    if photo and _BODY_PHOTO.search(normalised):
        return "grooming_body_photo"
    if _SECRECY.search(normalised):
        return "grooming_secrecy"
    approach = _ADULT_APPROACH.search(normalised)
    if approach and (_AGE_NUMBER.search(normalised) or photo or _MEETING.search(normalised)
                     or re.search(r"\b(?:mure?|mature|secret|personne|parents|mere)\b",
                                  normalised)):
        return "grooming_secrecy" if "nous" in approach.group(0) else "grooming_mature"
    if _AGE_NUMBER.search(normalised) and (photo or re.search(
            r"\b(?:webcam|cam|seule?|secret|mature|mure?|cadeau|amoureux|relation)\b",
            normalised)):
        return "grooming_age_photo"
    return ""


def _threat_reason(text: str) -> str:
    for reason, pattern in (("group_threat", _GROUP_THREAT), ("wished_harm", _WISHED_HARM),
                            ("conditional_threat", _CONDITIONAL), ("threat_words", _DIRECT),
                            ("veiled_threat", _VEILED)):
        if pattern.search(text):
            return reason
    return ""


def score_coercion(normalised: str) -> CoercionScores:
    quoted_spans = _QUOTED.findall(normalised)
    outside = _QUOTED.sub(" ", normalised)
    quoted = bool(quoted_spans) and bool(_ABOUT_QUOTE.search(outside) or
                                         re.search(r"\b(?:m'a|m'ont|a|ont) (?:ecrit|dit|"
                                                   r"envoye|poste)", outside))
    counter_reference = bool(_COUNTER_REFERENCE.search(normalised))
    to_me = bool(quoted_spans) and bool(re.search(r"\b(?:m'a|m'ont|me) (?:ecrit|dit|envoye|"
                                                  r"repete)", outside))
    reason = "" if counter_reference else _threat_reason(outside if quoted else normalised)
    threat = 0.9 if reason else 0.0
    if _REPORTED_THREAT.search(normalised) or _REPORTED_LOOSE.search(normalised):
        threat, reason = max(threat, 0.85), reason or "reported_threat"
    quoted_threat_to_me = to_me and any(
        _threat_reason(q) or re.search(r"\b(?:je|j'|on)\s*(?:vais|va)\s+(?:te|t')\s*" + _KILL, q)
        for q in quoted_spans)
    sextortion = 0.0 if quoted and not to_me else sextortion_score(normalised)
    negated = bool(_NEGATED.search(normalised))
    if negated and threat and not _REPORTED_THREAT.search(normalised):
        # "personne ne va te frapper": the rule matched inside a negation.
        threat, reason = 0.0, ""
    if sextortion:
        threat, reason = max(threat, 0.9), reason or "sextortion"
    if quoted_threat_to_me:
        reason = reason or "reported_threat"
    grooming = grooming_reason(normalised)
    return CoercionScores(threat=threat, sextortion=sextortion,
                          grooming=0.9 if grooming and grooming != "grooming_secrecy"
                          else 0.85 if grooming else 0.0,
                          negated=negated, quoted=quoted or counter_reference,
                          quoted_threat_to_me=quoted_threat_to_me, threat_reason=reason,
                          grooming_reason=grooming)
