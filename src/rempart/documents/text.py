"""The fixed wording of Rempart's documents, in French and English.

Documents are legal texts whose wording is reviewed as a whole, so each language's text lives
here side by side rather than as scattered gettext strings.
"""

from __future__ import annotations

import datetime as dt

_MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre"]

TEXTS: dict[str, dict[str, str]] = {
    "fr": {
        "complaint_title": "Plainte auprès du procureur de la République",
        "disclaimer_short": "Document préparé avec Rempart — information, pas un conseil juridique",
        "disclaimer": "Ce document a été préparé avec Rempart à partir des informations fournies. "
                      "Les qualifications proposées sont une information et non un conseil "
                      "juridique : le procureur de la République apprécie seul les suites à donner. "
                      "Une association d'aide aux victimes (116 006, France Victimes) ou un avocat "
                      "peut vous accompagner.",
        "name": "Nom et prénom", "birth": "Date et lieu de naissance", "address": "Adresse",
        "phone": "Téléphone", "email": "Courriel",
        "acting_as": "Agissant en qualité de", "legal_rep": "représentant légal",
        "minor_name": "Pour le mineur", "minor_birth": "Né(e) le",
        "to_prosecutor": "Madame, Monsieur le Procureur de la République",
        "court": "Tribunal judiciaire de {city}",
        "place_date": "Fait à {place}, le {date}",
        "subject": "Objet : plainte {against} pour {offences}",
        "against_x": "contre X", "against_accounts": "contre les utilisateurs des comptes {accounts}",
        "harassment": "harcèlement en ligne",
        "registered_letter": "Lettre recommandée avec demande d'avis de réception",
        "salutation": "Madame, Monsieur le Procureur de la République,",
        "opening": "J'ai l'honneur de porter plainte",
        "opening_minor": "Agissant en qualité de {role} de l'enfant mineur désigné ci-dessus, "
                         "j'ai l'honneur de porter plainte en son nom",
        "against_x_long": "contre X, les auteurs des faits ne m'étant pas connus, pour les faits "
                          "exposés ci-dessous.",
        "against_accounts_long": "contre les personnes utilisant les comptes {accounts}, et contre "
                                 "toute autre personne que l'enquête permettrait d'identifier, "
                                 "pour les faits exposés ci-dessous.",
        "facts": "Exposé des faits", "dates": "Période des faits : {dates}.",
        "see_exhibits": "Les faits sont décrits dans les pièces jointes.",
        "platforms": "Plateformes concernées : {platforms}.",
        "urls": "Adresses (URL) des contenus :",
        "handles": "Comptes ou pseudonymes des auteurs : {handles}.",
        "minor_fact": "La victime est mineure.",
        "reported_on": "Ces faits ont été signalés et les preuves conservées sur Rempart "
                       "(dossier {code}, ouvert le {date}).",
        "qualification": "Qualification envisagée",
        "qualification_intro": "Ces faits me paraissent susceptibles de constituer les "
                               "infractions suivantes :",
        "max": "peine maximale :",
        "exhibits": "Pièces jointes",
        "exhibits_intro": "Chaque pièce est identifiée par son empreinte SHA-256 et par sa position "
                          "dans le registre de conservation de Rempart (journal de Merkle signé, "
                          "RFC 9162) ; le paquet de preuves vérifiable hors ligne peut être "
                          "fourni sur demande.",
        "exhibit": "Pièce n°", "received": "reçue le", "ledger_leaf": "registre, entrée n°",
        "no_exhibits": "Aucune pièce jointe à ce stade.",
        "request_suspension": "Je demande en outre que soit prononcée, à titre de peine "
                              "complémentaire, la suspension des comptes d'accès aux services "
                              "en ligne utilisés pour commettre ces faits, avec interdiction "
                              "d'en créer de nouveaux (article 131-35-1 du Code pénal).",
        "civil_party": "Je me réserve la possibilité de me constituer partie civile et je "
                       "souhaite être informé(e) des suites données à cette plainte.",
        "closing": "Je vous prie d'agréer, Madame, Monsieur le Procureur de la République, "
                   "l'expression de ma haute considération.",
        "signature": "Signature :",
    },
    "en": {
        "complaint_title": "Complaint to the public prosecutor (procureur de la République)",
        "disclaimer_short": "Prepared with Rempart — information, not legal advice",
        "disclaimer": "This document was prepared with Rempart from the information provided. "
                      "The suggested offences are information, not legal advice: only the public "
                      "prosecutor decides what follows. A victim support association (116 006, "
                      "France Victimes) or a lawyer can help you.",
        "name": "Full name", "birth": "Date and place of birth", "address": "Address",
        "phone": "Telephone", "email": "E-mail",
        "acting_as": "Acting as", "legal_rep": "legal representative",
        "minor_name": "On behalf of the minor", "minor_birth": "Born on",
        "to_prosecutor": "To the Public Prosecutor (procureur de la République)",
        "court": "Tribunal judiciaire of {city}",
        "place_date": "{place}, {date}",
        "subject": "Subject: complaint {against} for {offences}",
        "against_x": "against persons unknown (contre X)",
        "against_accounts": "against the users of the accounts {accounts}",
        "harassment": "online harassment",
        "registered_letter": "Registered letter with acknowledgement of receipt",
        "salutation": "Dear Public Prosecutor,",
        "opening": "I hereby file a complaint",
        "opening_minor": "Acting as {role} of the minor named above, I hereby file a complaint "
                         "on their behalf",
        "against_x_long": "against persons unknown (contre X), as the authors are not known to "
                          "me, for the facts set out below.",
        "against_accounts_long": "against the persons using the accounts {accounts}, and any other "
                                 "person the investigation may identify, for the facts set out "
                                 "below.",
        "facts": "Statement of facts", "dates": "Period of the facts: {dates}.",
        "see_exhibits": "The facts are described in the exhibits.",
        "platforms": "Platforms concerned: {platforms}.",
        "urls": "Addresses (URLs) of the content:",
        "handles": "Accounts or pseudonyms of the authors: {handles}.",
        "minor_fact": "The victim is a minor.",
        "reported_on": "These facts were reported and the evidence preserved on Rempart "
                       "(case {code}, opened on {date}).",
        "qualification": "Possible offences",
        "qualification_intro": "These facts appear likely to constitute the following offences:",
        "max": "maximum penalty:",
        "exhibits": "Exhibits",
        "exhibits_intro": "Each exhibit is identified by its SHA-256 digest and by its position in "
                          "Rempart's custody ledger (a signed Merkle log, RFC 9162); the evidence "
                          "bundle, verifiable offline, can be provided on request.",
        "exhibit": "Exhibit no.", "received": "received on", "ledger_leaf": "ledger entry no.",
        "no_exhibits": "No exhibits at this stage.",
        "request_suspension": "I further ask that the court order, as a complementary penalty, the "
                              "suspension of the online accounts used to commit these acts, with "
                              "a ban on creating new ones (article 131-35-1 of the Code pénal).",
        "civil_party": "I reserve the right to join the proceedings as a civil party and wish to "
                       "be informed of the action taken on this complaint.",
        "closing": "Yours faithfully,",
        "signature": "Signature:",
    },
}


def format_date(day: dt.date, language: str) -> str:
    if language == "fr":
        return f"{day.day} {_MONTHS_FR[day.month - 1]} {day.year}"
    return day.strftime("%d %B %Y").lstrip("0")


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("o", "Ko", "Mo", "Go"):
        if value < 1024 or unit == "Go":
            return f"{value:.0f} {unit}" if unit == "o" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} o"
