"""Rules for what the training data does not cover: personal data, self-harm incitement, sexual
requests and sextortion, threats, and reported speech (a victim quoting or denouncing an insult).

Every rule works on the normalised text (see ``normalize``): lowercase, no accents, chat spellings
expanded. Each returns a score in [0, 1] that the model's score is combined with (maximum), except
reported speech, which lowers the aggression scores of the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from rempart.detect.classifier.coercion import GROUP

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_STREET = re.compile(
    r"\b\d{1,4}\s*(?:bis|ter)?,?\s*(?:rue|avenue|av|boulevard|bd|chemin|impasse|allee|place|"
    r"route|quai|square|cours|residence|cite|lotissement)\b")
_POSTCODE_CITY = re.compile(r"\b(?:0[1-9]|[1-8]\d|9[0-5]|2a|2b)\d{3}\s+[a-z][a-z-]{2,}")
_SCHOOL = re.compile(r"\b(?:college|lycee|ecole|bahut)\s+(?!de\b|du\b)[a-z][a-z'-]+")
_HOME = re.compile(r"\b(?:il|elle|iel|le mec|la meuf|ce (?:gars|mec)|cette (?:fille|meuf))\s+"
                   r"(?:habite|vit|dort|est scolarise|est en \w+ au|va au|va a la|est au)\b|"
                   r"\b(?:son|sa|ses)\s+(?:adresse|num|numero|tel|telephone|portable|mail|"
                   r"insta|snap|ecole|college|lycee|vrai nom|nom de famille|parents)\b")
_EXPOSE = re.compile(r"\b(?:voici|voila|appelez|appelez-la|appelez-le|harcelez|spammez|"
                     r"envoyez(?:-lui)?|allez (?:chez|la|le|l'attendre)|balance|faites tourner|"
                     r"partagez|rt|debarquez|tout le monde|on l'attend|on la trouve|"
                     r"on le trouve)\b")
_THREAT_CONTEXT = re.compile(r"\b(?:gare|attention|fais gaffe|tu vas voir|on sait|je sais|"
                             r"on va venir|on arrive|on t'attend|tu vas payer|regrette)")

_SELF_HARM = re.compile(
    r"\b(?:va|vas|allez|aller) (?:te|vous|t'|vs)\s*(?:tuer|pendre|suicider|jeter|foutre en l'air|"
    r"ouvrir les veines|defenestrer|noyer)|"
    r"\b(?:tue|suicide|pends|jette|noie)[- ]*(?:toi|vous)\b|"
    r"\bt'as (?:qu'a|qua|ka) (?:te|t')\s*(?:tuer|pendre|suicider|jeter|foutre en l'air)|"
    r"\btu (?:devrais|ferais mieux de|peux|dois) (?:en finir|mourir|crever|te tuer|te pendre|"
    r"te suicider|disparaitre|sauter|te jeter|arreter de respirer|te foutre en l'air)|"
    r"\b(?:personne|nul) ne (?:te )?(?:regrettera|regretterait|pleurera|pleurerait)|"
    r"\b(?:le monde|tout le monde|la terre) (?:serait|sera|irait) mieux sans toi|"
    r"\b(?:saute|sautes|jette-toi|jette toi) (?:d'un|du|par la|sous un)|"
    r"\bouvre[- ]toi les veines|\bfais (?:nous|moi|nous tous) (?:plaisir|une faveur)[, ]+"
    r"(?:et )?(?:meurs|creve|disparais|tue-toi|tue toi)|\b(?:va|vas) (?:crever|mourir)|"
    r"\bouvert les veines|\bouvre(?:-toi| toi)? les veines|\bcoupe(?:r)? plus profond|"
    r"\b(?:prends|avale) toutes? (?:les|tes) (?:pilules|cachets|medocs|medicaments)|"
    r"\bmets? fin a (?:ta|tes) (?:vie|jours)|\ben finir\b.{0,30}\btu devrais|"
    r"\b(?:je me|tu te) (?:jetterais|pendrais|tuerais|suiciderais)\b|"
    r"\bfais[- ]le (?:pour une fois|enfin|stp)|\barrete de menacer de te tuer|"
    r"\battend(?:ent)? que tu (?:disparaisses|meures|crevess?e?s?)|\bte foutre en l'air|"
    r"\bjusqu'a ce qu'on (?:voie|voit) tes os|\bfinis[- ]en\b|"
    r"\bkill (?:yourself|urself)|\bgo (?:die|kill yourself)|\bend it\b|"
    r"\bnobody (?:would|will) miss you|\bworld (?:would|will) be better without you")

_SEXTORTION = re.compile(
    r"\b(?:je|j'|on) (?:vais|va) (?:publier|diffuser|balancer|envoyer|montrer|poster|leak|"
    r"partager) (?:tes|ta|vos) (?:photos?|nudes|videos?|nude)|"
    r"\bsinon (?:je|j'|on|tout le monde)\b.*\b(?:photos?|nudes|videos?)|"
    r"\b(?:photos?|nudes|videos?)\b.*\bsinon\b|"
    r"\bsi tu (?:\w+\s+){0,3}pas\b.*\b(?:publie|balance|diffuse|envoie|poste|montre)\w*\b.*"
    r"\b(?:photos?|nudes|videos?)|"
    r"\b(?:paie|paye|envoie|vire)\b.*\b(?:euros|€|paysafecard|bitcoin)\b.*\b(?:photos?|nudes|"
    r"videos?)|\bi (?:will|'ll) (?:post|leak|share|send) your (?:nudes|pics|photos)")
_SEXUAL = re.compile(
    r"\b(?:envoie|envoies|envoi|montre|montres|fais voir|send)\b.{0,25}\b(?:nudes|photos? de toi "
    r"(?:nue?|a poil|en sous-vetements|en culotte)|tes (?:seins|fesses|nichons|parties)|a poil|"
    r"nue?\b|ta chatte|ta bite|ton corps|your (?:tits|boobs|body))|"
    r"\b(?:suce|sucer|suces|baiser|baise|coucher avec|te doigter|te violer|viol)\b"
    r"(?!\s+(?:la |le |les )?(?:rue|route))|"
    r"\b(?:tes|ta|ton) (?:seins|nichons|fesses|cul|chatte|bite|teub|zizi)\b|"
    r"\bsexe\b|\bporno?\b|\bpute\b.*\b(?:combien|tarif|prix)\b|\bsend nudes\b|\bnudes\b")

_VIOLENT_VERB = (r"(?:tuer|buter|frapper|tabasser|cogner|egorger|planter|poignarder|defoncer|"
                 r"eclater|bruler|cramer|massacrer|fracasser|etrangler|noyer|exploser|saigner|"
                 r"demonter|demolir|crever|achever|eliminer|lyncher|violer|enterrer|shooter|"
                 r"retrouver|choper|attraper|chopper|niquer|faire la peau|faire du mal|"
                 r"faire regretter|faire payer|casser (?:la gueule|les dents|les jambes|la tete|"
                 r"les bras)|peter (?:la gueule|les dents|les genoux)|refaire le portrait|"
                 r"mettre une balle|mettre un coup|regler ton compte|trouer|allumer|tirer dessus)")
_THREAT = re.compile(
    # Any subject ("je", "mon grand frere", ...) but not the imperative "va te tuer" (self-harm).
    r"[\w']+\s*(?:vais|va|vont|allons|vas)\s+(?:te|t'|vous|ta|ton|tes|le|la|lui|les)\s*"
    r"(?:\w+\s+){0,2}" + _VIOLENT_VERB + "|"
    r"\b(?:je|j'|on)\s*(?:te|t'|vous)\s*(?:\w+\s+)?(?:tuerai|buterai|retrouverai|defoncerai|"
    r"aurai|egorgerai|planterai|cramerai|demonterai|attendrai|attends)\b|"
    r"\bt'es (?:mort|morte|finie?|un homme mort|une femme morte)\b|"
    r"\btu (?:vas|va) (?:mourir|crever|le regretter|le payer|payer|prendre cher|souffrir|saigner|"
    r"voir ce qui|finir (?:a l'hopital|dans un|sous terre|six pieds)|pas rentrer|manger)|"
    r"\b(?:je|on) sai[st] ou (?:tu|t'|ta famille|tes parents) (?:habite|vi|dor|es|traine)|"
    r"\bfais gaffe (?:a toi|quand tu|en rentrant|a ta|a tes)|\bgare a (?:toi|ta|tes)\b|"
    r"\ba la sortie\b.*\b(?:on|je)\b|\b(?:on|je) (?:t'|te )(?:attend|attends|guette)\b|"
    r"\battends[- ]toi a (?:recevoir|prendre|morfler|souffrir)|"
    r"\btu (?:vas|va) voir(?:\s*[!.]|\s*$|\s+(?:ce qui|ce que|comment|la suite))|"
    r"\btes jours sont comptes|\bte reste (?:plus )?(?:peu|pas) de temps|"
    r"\bprochaine fois (?:c'est|ce sera) (?:toi|ta)|\bsurveille tes arrieres|"
    r"\bi(?:'ll| will| am going to|m going to|'m going to|m gonna|'m gonna) (?:kill|hurt|find|"
    r"beat|stab|shoot|get) (?:you|u)|\byou(?:'re| are) dead\b|\bwatch your back\b|"
    r"\bje vais venir (?:chez toi|a ton|te)|\bta (?:famille|mere|soeur|petite soeur) va "
    r"(?:payer|souffrir|y passer)|(?:couteau|pistolet|hache|bombe)\b.*\b(?:toi|demain|sortie)\b")

# A victim or a witness quoting an insult to denounce it, or speaking against it.
_REPORTED = re.compile(
    r"\b(?:il|elle|ils|elles|on|des gens|un mec|une fille|quelqu'un|ce gars|mon ex)\s+"
    r"(?:m'a|m'ont|l'a|l'ont|nous a|nous ont|t'a|t'ont|lui a|leur a)\s+(?:\w+\s+)?(?:traite|"
    r"traitee|traites|insulte|insultee|appele|appelee|dit|ecrit|envoye|menace|menacee|"
    r"harcele|harcelee|dit de|ecrit que|dit que)|"
    r"\b(?:arrete|arretez|arretons|stop)\s+(?:de|d')\s*(?:le |la |les |l'|me |nous |)\s*"
    r"(?:traiter|insulter|dire|appeler|harceler|menacer|ecrire|se moquer|te moquer|vous moquer)|"
    r"\b(?:on ne|il ne faut pas|faut pas|ne jamais|on peut pas|on ne peut pas) "
    r"(?:dit|dire|traiter|ecrire|insulter|accepter|laisser passer)|"
    r"\bc'est (?:pas|pas du tout|vraiment pas) (?:ok|normal|bien|drole|acceptable|marrant) de\b|"
    r"\b(?:je|on) (?:signale|signalerai|vais signaler|a signale|ai signale|denonce)|"
    r"\bpersonne ne merite|\bc'est du harcelement|\bstop au harcelement|\bc'est raciste|"
    r"\bc'est homophobe|\bc'est sexiste|\bpas cool de (?:dire|traiter)|"
    r"\b(?:he|she|they) called (?:me|her|him)|\bstop calling|\bit's not ok to\b|"
    r"\bon m'a (?:traite|traitee|appele|appelee|insulte|insultee|dit)|"
    r"\b(?:a ecrit|m'a ecrit|a poste|a publie)\s*:|\bne (?:le|la|les) traite pas|"
    r"\ble mot\b|\bc'est une insulte|\bfaut pas (?:le|la) dire")

# Common insults, after normalisation (leetspeak, accents and repeated letters are already undone).
_INSULT = re.compile(
    r"\b(?:connard|connasse|conne|con|salope|salopard|pute|putain de|fils de pute|"
    r"nique ta mere|nique ta race|nique tes morts|ta gueule|ferme ta gueule|batard|encule|"
    r"enfoire|abruti|abrutie|debile|cretin|cretine|bouffon|bouffonne|boloss|bolosse|clown|"
    r"tocard|tocarde|sale merde|petite merde|grosse merde|merdeux|pouffiasse|petasse|garce|"
    r"trou du cul|face de rat|sac a merde|grosse vache|gros porc|cassos|baltringue|"
    r"idiot|idiote|imbecile|teube|ferme[- ]la|tu pues|va te faire foutre|shut the fuck up|fuck you|"
    r"stupid bitch|bitch|asshole|motherfucker|dumbass|loser|son of a bitch|moron)\b")
# Games, sport and idioms where "tuer", "ecraser" or "mort" are not violence.
_BANTER = re.compile(
    r"\b(?:fifa|fortnite|mario ?kart|minecraft|valo|valorant|call of|cod|brawl|roblox|"
    r"au match|le match|au foot|au basket|a la manette|en 1v1|en duel|a la console|"
    r"au ping-pong|au tennis|au babyfoot|aux cartes|a ce jeu|en partie|au jeu|"
    r"ca me tue|ca m'a tue|mort de rire|morte de rire|je suis mort|je suis morte|"
    r"tu me tues|trop drole|game|spawn|among us|imposteur|sniper|tournoi|finale|serveur|boss|"
    r"manche|round|skin|respawn|gg|tuerie|map)\b")


# Slurs that are identity hate by themselves, and hostile phrases aimed at a group.
_IDENTITY_HATE = re.compile(
    r"\b(?:bougnoules?|bicots?|negres?|negresses?|youpins?|youtres?|chinetoques?|niakoues?|"
    r"bamboulas?|pedes?|pd|tarlouzes?|tapettes?|gouines?|tafioles?|fiottes?|travelos?|"
    r"mongols?|mongoliens?|gogols?|trisos?|nigg\w*|faggots?|fags?|dykes?|retards?)\b|"
    r"\bretourne (?:dans|a|au) ton (?:pays|bled)|"
    r"\b(?:les )?(?:arabes|noirs|juifs|musulmans|migrants|immigres|etrangers|gays|homos|"
    r"pedes|roms|chinois|renois|rebeus|femmes|filles|handicapes)\s+(?:dehors|a la porte|au four|"
    r"c'est tous des|ca pue|ca sert a rien|ca sert qu'a|doivent (?:crever|mourir|partir))|"
    r"\bsale (?:arabe|noir|noire|juif|juive|musulman|musulmane|immigre|etranger|gay|homo|"
    r"lesbienne|trans|handicape|handicapee|autiste|black|chinois|chinoise|rebeu|renoi|gitan|rom)\b|"
    r"\bt'es (?:qu'un|qu'une|un|une) (?:sale )?(?:autiste|handicape|handicapee|triso|mongol)\b")


# Derogation of a protected group as such: "les X sont des animaux", "je deteste les X".
_DEROGATORY = (r"(?:animaux|betes|vermine|rats|cafards|parasites|sous-hommes|dechets|ordures|"
               r"singes|porcs|chiens|virus|cancer|plaie|menace|dangereux|dangereuses|sales|"
               r"degoutants?|degoutantes?|inferieur(?:e)?s|degeneres?|malades|pourris?|"
               r"voleurs|menteurs|criminels|terroristes|violeurs|stupides|betes|idiots|"
               r"connards|connasses|salopes|putes|merdes|fleau|nuisibles|envahisseurs)")
_GROUP_DEROGATION = re.compile(
    GROUP + r"\s+(?:sont|seront|restent|resteront|ne sont que|c'est|c'est tous|c'est toutes|"
    r"sont tous|sont toutes|sont-ils tous|sont-elles toutes|sont vraiment|ne seront jamais)\s+"
    r"(?:(?:des|de la|de|une|un|du|tous|toutes|aussi|si|trop|vraiment|une race de|"
    r"que des|que de la|des putains de|de sales)\s+){0,3}" + _DEROGATORY + r"|"
    r"\b(?:je|j')\s*(?:deteste|hais|vomis|ai horreur des|supporte pas|supporte plus|"
    r"peux pas voir|peux pas supporter)\s+" + GROUP + r"|"
    + GROUP + r"\s+(?:me|nous)\s+(?:degoutent|ecoeurent|font vomir|donnent envie de vomir|"
    r"insupportent|debectent)|"
    r"\bm'ecoeure plus que\s+" + GROUP + r"|"
    + GROUP + r"\s+(?:n'ont rien a faire|ont rien a faire|doivent partir|dehors|hors de)\b|"
    r"\b(?:un|une) (?:pays|ville|ecole|monde) sans\s+" + GROUP + r"|"
    r"\brace de (?:degeneres|sous-hommes|batards|chiens)|"
    r"\b(?:i hate|fuck all)\s+(?:the\s+)?(?:women|muslims|jews|blacks|arabs|gays|trans|"
    r"immigrants|refugees)")


@dataclass(frozen=True)
class RuleScores:
    threat: float
    doxxing: float
    self_harm_incitement: float
    sexual: float
    insult: float
    identity_hate: float
    reported_speech: bool
    banter: bool


def personal_data(text: str, normalised: str) -> list[str]:
    """Kinds of personal data found: phone, email, street address, postcode, school."""
    kinds: list[str] = []
    if any(True for _ in phonenumbers.PhoneNumberMatcher(text, "FR")):
        kinds.append("phone")
    if _EMAIL.search(text):
        kinds.append("email")
    if _STREET.search(normalised):
        kinds.append("address")
    if _POSTCODE_CITY.search(normalised):
        kinds.append("postcode")
    if _SCHOOL.search(normalised):
        kinds.append("school")
    return kinds


def doxxing_score(text: str, normalised: str, threat: float) -> float:
    """High when personal data about someone is exposed with an exposure or threat context."""
    kinds = personal_data(text, normalised)
    about_someone = bool(_HOME.search(normalised))
    exposure = bool(_EXPOSE.search(normalised) or _THREAT_CONTEXT.search(normalised))
    if not kinds:
        return 0.7 if about_someone and (exposure or threat >= 0.5) else 0.0
    if about_someone or exposure or threat >= 0.5:
        return 0.95
    # A bare number or school name ("appelle-moi au 06...") is not doxxing by itself.
    return 0.3


def score_rules(text: str, normalised: str) -> RuleScores:
    threat = 0.95 if _THREAT.search(normalised) else 0.0
    self_harm = 0.95 if _SELF_HARM.search(normalised) else 0.0
    if _SEXTORTION.search(normalised):
        sexual = 0.95
    elif _SEXUAL.search(normalised):
        sexual = 0.85
    else:
        sexual = 0.0
    return RuleScores(
        threat=max(threat, 0.9 if sexual >= 0.95 else 0.0),
        doxxing=doxxing_score(text, normalised, threat),
        self_harm_incitement=self_harm,
        sexual=sexual,
        insult=0.8 if _INSULT.search(normalised) else 0.0,
        identity_hate=0.85 if (_IDENTITY_HATE.search(normalised)
                               or _GROUP_DEROGATION.search(normalised)) else 0.0,
        reported_speech=bool(_REPORTED.search(normalised)),
        banter=bool(_BANTER.search(normalised)),
    )
