"""Words the extractor knows: counted nouns, parties and measure cues.

Plain data, no logic: the rules that use it live in the other modules of :mod:`sahel.extract`.
"""
from __future__ import annotations

# --- counted nouns: singular form -> (class, default party) -------------------
# class: "force" (soldiers of some state or force), "person", "materiel", "other"
NOUNS: dict[str, tuple[str, str | None]] = {
    # state forces: the party is the state or force that has, sends or loses them
    **{w: ("force", None) for w in (
        "soldier", "troop", "serviceman", "servicemember", "officer", "gendarme", "policeman",
        "commando", "legionnaire", "paratrooper", "marine", "airman", "pilot", "personnel",
        "force", "recruit", "guard", "sailor", "instructor", "trainer", "military",
        "special force", "operator", "reinforcement", "contingent", "member", "official", "partner",
        "uniformed personnel", "security force", "member of the security forces", "man",
        "expert", "adviser", "advisor", "technician", "deminer", "auxiliary", "volunteer",
        "gendarmes",
    )},
    "police": ("force", None),
    "peacekeeper": ("force", "UN"), "blue helmet": ("force", "UN"), "peacekeeping": ("force", "UN"),
    # jihadist and armed groups
    **{w: ("person", "JIHADIST") for w in (
        "jihadist", "jihadi", "fighter", "militant", "terrorist", "insurgent", "extremist",
        "islamist", "gunman", "assailant", "attacker", "combatant", "suspect", "jihadis",
        "accomplice", "armed man", "kidnapper", "abductor", "hostage-taker", "raider",
    )},
    "rebel": ("person", "ARMED_GROUP"), "militiaman": ("person", "ARMED_GROUP"),
    "militia": ("person", "ARMED_GROUP"), "dozo": ("person", "ARMED_GROUP"),
    "mercenary": ("person", "MERCENARY"), "contractor": ("person", "MERCENARY"),
    # civilians
    **{w: ("person", "CIVILIAN") for w in (
        "civilian", "villager", "resident", "inhabitant", "refugee", "worshipper", "herder",
        "farmer", "trader", "student", "pupil", "teacher", "tourist", "guest", "passenger",
        "aid worker", "humanitarian", "miner", "mourner", "displaced", "idp", "migrant",
        "family", "household", "child", "woman", "girl", "boy", "journalist", "reporter",
        "conservationist", "missionary", "priest", "nun", "doctor", "nurse", "engineer",
        "driver", "employee", "staff", "hostage", "protester", "protestor", "demonstrator",
        "wedding guest", "pilgrim", "shepherd", "motorist",
    )},
    "worker": ("person", "CIVILIAN"),
    # people of no stated side
    **{w: ("person", "UNKNOWN") for w in (
        "person", "people", "death", "fatality", "casualty", "body", "life", "victim",
        "prisoner", "dead", "wounded", "injured", "individual", "captive",
    )},
    # materiel
    **{w: ("materiel", None) for w in (
        "helicopter", "aircraft", "plane", "jet", "drone", "vehicle", "truck", "pickup",
        "car", "motorcycle", "motorbike", "bike", "tank", "armoured vehicle", "apc", "weapon",
        "rifle", "gun", "launcher", "mortar", "rocket", "mine", "ied", "boat", "bomb",
        "explosive device", "4x4", "armored vehicle", "gunship", "fighter jet", "warplane",
        "mirage", "tiger", "reaper", "vessel",
    )},
    # counts that are not figures to score
    **{w: ("other", None) for w in (
        "country", "nation", "attack", "village", "school", "incident", "operation",
        "raid", "strike", "airstrike", "air strike", "kilometre", "kilometer", "km", "mile",
        "percent", "per cent", "dollar", "euro", "franc", "camp", "base", "region", "town",
        "site", "mission", "unit", "battalion", "company", "group", "ambush",
        "clash", "project", "mandate", "time", "round", "case", "meter", "metre", "ton",
        "tonne", "cache", "depot", "position", "post", "report", "kilogram", "kg", "litre",
        "member state", "nation state", "ally", "event", "episode", "violation", "abuse", "bridge", "well",
    )},
}
IRREGULAR_PLURALS = {
    "people": "people", "men": "man", "women": "woman", "children": "child",
    "servicemen": "serviceman", "policemen": "policeman", "gunmen": "gunman",
    "militiamen": "militiaman", "personnel": "personnel", "police": "police",
    "lives": "life", "militias": "militia", "jihadis": "jihadist", "dead": "dead",
    "wounded": "wounded", "injured": "injured", "displaced": "displaced", "families": "family",
    "casualties": "casualty", "fatalities": "fatality", "bodies": "body", "militaries": "military",
    "aircraft": "aircraft", "forces": "force", "4x4s": "4x4", "ieds": "ied", "idps": "idp",
    "mirages": "mirage", "apcs": "apc",
}
NOUN_CANONICAL = {
    "jihadi": "jihadist", "jihadis": "jihadist", "motorbike": "motorcycle", "bike": "motorcycle",
    "peacekeeping": "peacekeeper", "blue helmet": "peacekeeper", "police": "policeman",
    "armored vehicle": "armoured vehicle", "fighter jet": "jet", "warplane": "plane",
    "gunship": "helicopter", "people": "person", "idp": "displaced",
}
# words that may stand between a number and its noun
MODIFIER_STOP = {
    "the", "a", "an", "of", "in", "on", "at", "to", "from", "by", "with", "for", "and", "or",
    "were", "was", "is", "are", "have", "has", "had", "been", "be", "who", "which", "that",
    "killed", "died", "wounded", "injured", "more", "than", "said", "says", "while", "during",
    "since", "after", "before", "as", "into", "their", "its", "his", "her", "them", "these",
    "those", "this", "it", "they", "per", "out", "over", "under", "about",
}

# --- parties ------------------------------------------------------------------
# nationality adjectives and country names (with common capitals used as actors)
STATES: dict[str, str] = {
    "france": "FRA", "french": "FRA", "paris": "FRA", "macron": "FRA", "hollande": "FRA",
    "parly": "FRA", "le drian": "FRA", "sarkozy": "FRA", "élysée": "FRA", "elysee": "FRA",
    "keita": "MLI", "keïta": "MLI", "goita": "MLI", "goïta": "MLI", "kabore": "BFA",
    "kaboré": "BFA", "damiba": "BFA", "bazoum": "NER", "issoufou": "NER", "deby": "TCD",
    "déby": "TCD",
    "mali": "MLI", "malian": "MLI", "bamako": "MLI", "fama": "MLI",
    "burkina faso": "BFA", "burkina": "BFA", "burkinabe": "BFA", "burkinabè": "BFA",
    "ouagadougou": "BFA",
    "niger": "NER", "nigerien": "NER", "niamey": "NER",
    "chad": "TCD", "chadian": "TCD", "n'djamena": "TCD",
    "mauritania": "MRT", "mauritanian": "MRT", "nouakchott": "MRT",
    "estonia": "EST", "estonian": "EST", "tallinn": "EST",
    "britain": "GBR", "british": "GBR", "united kingdom": "GBR", "uk": "GBR", "london": "GBR",
    "united states": "USA", "american": "USA", "us": "USA", "u.s.": "USA", "washington": "USA",
    "america": "USA", "pentagon": "USA",
    "belgium": "BEL", "belgian": "BEL",
    "czech republic": "CZE", "czech": "CZE", "czechia": "CZE",
    "denmark": "DNK", "danish": "DNK", "germany": "DEU", "german": "DEU", "berlin": "DEU",
    "sweden": "SWE", "swedish": "SWE", "italy": "ITA", "italian": "ITA", "spain": "ESP",
    "spanish": "ESP", "netherlands": "NLD", "dutch": "NLD", "norway": "NOR", "norwegian": "NOR",
    "portugal": "PRT", "portuguese": "PRT", "romania": "ROU", "romanian": "ROU",
    "hungary": "HUN", "hungarian": "HUN", "greece": "GRC", "greek": "GRC",
    "ukraine": "UKR", "ukrainian": "UKR", "lithuania": "LTU", "lithuanian": "LTU",
    "latvia": "LVA", "finland": "FIN", "finnish": "FIN", "ireland": "IRL", "irish": "IRL",
    "canada": "CAN", "canadian": "CAN", "senegal": "SEN", "senegalese": "SEN",
    "togo": "TGO", "togolese": "TGO", "guinea": "GIN", "guinean": "GIN",
    "ivory coast": "CIV", "ivorian": "CIV", "benin": "BEN", "beninese": "BEN",
    "ghana": "GHA", "ghanaian": "GHA", "nigeria": "NGA", "nigerian": "NGA",
    "egypt": "EGY", "egyptian": "EGY", "bangladesh": "BGD", "bangladeshi": "BGD",
    "algeria": "DZA", "algerian": "DZA", "libya": "LBY", "libyan": "LBY",
    "china": "CHN", "chinese": "CHN", "russia": "RUS", "russian": "RUS",
    "rwanda": "RWA", "rwandan": "RWA", "cameroon": "CMR", "cameroonian": "CMR",
    "poland": "POL", "polish": "POL", "austria": "AUT", "austrian": "AUT",
    "switzerland": "CHE", "swiss": "CHE", "jordan": "JOR", "jordanian": "JOR",
    "pakistan": "PAK", "pakistani": "PAK", "sri lanka": "LKA", "sri lankan": "LKA",
    "el salvador": "SLV", "salvadoran": "SLV", "cambodia": "KHM", "cambodian": "KHM",
    "liberia": "LBR", "liberian": "LBR", "sierra leone": "SLE",
}
# forces, missions and groups (lower-case surface -> party)
FORCES: dict[str, str] = {
    "barkhane": "FRA", "serval": "FRA", "sabre": "FRA", "epervier": "FRA",
    "french army": "FRA", "foreign legion": "FRA", "legion": "FRA",
    "minusma": "UN", "un": "UN", "u.n.": "UN", "united nations": "UN", "misma": "UN",
    "peacekeeping": "UN", "peacekeepers": "UN", "blue helmets": "UN", "world body": "UN",
    "eutm": "EU", "eucap": "EU", "european union": "EU", "eu": "EU",
    "g5 sahel": "G5S", "g5": "G5S", "g5s": "G5S", "joint force": "G5S",
    "takuba": "FRA",
    "wagner": "MERCENARY", "wagner group": "MERCENARY",
    "jihadist": "JIHADIST", "jihadists": "JIHADIST", "jihadi": "JIHADIST", "jihadis": "JIHADIST",
    "islamist": "JIHADIST", "islamists": "JIHADIST", "militant": "JIHADIST",
    "militants": "JIHADIST", "terrorist": "JIHADIST", "terrorists": "JIHADIST",
    "insurgent": "JIHADIST", "insurgents": "JIHADIST", "insurgency": "JIHADIST",
    "islamic state": "JIHADIST", "isis": "JIHADIST", "isil": "JIHADIST", "isgs": "JIHADIST",
    "iswap": "JIHADIST", "al-qaeda": "JIHADIST", "al qaeda": "JIHADIST", "al-qaida": "JIHADIST",
    "al qaida": "JIHADIST", "aqim": "JIHADIST", "jnim": "JIHADIST", "gsim": "JIHADIST",
    "ansarul islam": "JIHADIST", "ansar dine": "JIHADIST", "ansarul": "JIHADIST",
    "katiba macina": "JIHADIST", "katiba": "JIHADIST", "macina": "JIHADIST", "mujao": "JIHADIST",
    "boko haram": "JIHADIST", "al-mourabitoune": "JIHADIST", "enemy": "JIHADIST",
    "mnla": "ARMED_GROUP", "tuareg": "ARMED_GROUP", "separatist": "ARMED_GROUP",
    "separatists": "ARMED_GROUP", "cma": "ARMED_GROUP", "gatia": "ARMED_GROUP",
    "dan na ambassagou": "ARMED_GROUP", "dozo": "ARMED_GROUP", "koglweogo": "ARMED_GROUP",
    "vdp": "ARMED_GROUP", "self-defence": "ARMED_GROUP", "self-defense": "ARMED_GROUP",
    "militia": "ARMED_GROUP", "militias": "ARMED_GROUP", "rebel": "ARMED_GROUP",
    "rebels": "ARMED_GROUP", "dogon": "ARMED_GROUP",
    "civilian": "CIVILIAN", "civilians": "CIVILIAN", "villagers": "CIVILIAN",
    "fulani": "CIVILIAN", "peul": "CIVILIAN",
}
STATE_PARTIES = set(STATES.values()) | {"UN", "EU", "G5S"}

# --- measure cues -------------------------------------------------------------
# lower-case token -> measure; multi-word cues are matched on the joined text
CUES: dict[str, str] = {
    **dict.fromkeys(("released", "freed", "exchanged", "liberated", "rescued", "swapped",
                     "releasing", "freeing", "attended", "took part", "involved"), "other"),
    **dict.fromkeys(("killed", "kill", "kills", "killing", "died", "die", "dies", "dying",
                     "dead", "death", "deaths", "slain", "massacred", "executed", "perished",
                     "fatalities", "fatality", "toll", "lives", "bodies", "murdered",
                     "assassinated", "shot", "beheaded",
                     "casualties", "lost", "lose", "losing", "loses"), "killed"),
    **dict.fromkeys(("wounded", "wounding", "injured", "injuring", "hurt", "injuries",
                     "injury", "wounds", "maimed"), "wounded"),
    **dict.fromkeys(("captured", "capture", "capturing", "arrested", "arrest", "arrests",
                     "detained", "detaining", "abducted", "abducting", "kidnapped",
                     "kidnapping", "hostage", "hostages", "prisoner", "prisoners", "seized",
                     "apprehended", "taken", "custody", "surrendered"), "captured"),
    **dict.fromkeys(("deployed", "deploy", "deploys", "deploying", "deployment", "send",
                     "sent", "sending", "sends", "dispatched", "dispatch", "pledged", "pledge",
                     "pledging", "reinforcements", "reinforcement", "reinforce", "stationed",
                     "strong", "contributed", "contributes", "committed", "commit",
                     "withdraw", "withdrawn", "withdrawing", "withdrew", "withdrawal",
                     "contingent", "boost", "boosted", "number", "numbering", "numbered",
                     "totalling", "totaling", "based", "raise", "raised", "increase",
                     "increased", "bringing", "brings", "brought", "reduce", "reduced",
                     "cut", "drawdown", "pull", "pulled", "surge", "extra", "additional",
                     "deployments"), "deployed"),
    **dict.fromkeys(("destroyed", "destroy", "destroying", "wrecking", "wreck", "crashed", "crash", "collision",
                     "collided", "downed", "burned", "burnt", "torched", "wrecked",
                     "destruction", "disabled", "sank", "sunk"), "destroyed"),
    **dict.fromkeys(("displaced", "displacement", "fled", "flee", "fleeing", "flight",
                     "refugees", "refugee", "uprooted", "homeless", "idps", "displacing"),
                    "displaced"),
}
# the cues that can apply to each class of counted noun
COMPATIBLE = {
    "force": {"killed", "wounded", "captured", "deployed", "other"},
    "person": {"killed", "wounded", "captured", "displaced", "other"},
    "materiel": {"destroyed", "other"},
    "other": set(),
}
# cue words that are weak: used only when nothing stronger is near
WEAK_CUES = {"number", "based", "extra",
             "additional", "raise", "raised", "increase", "increased", "bringing", "brings",
             "brought", "cut", "reduce", "reduced", "taken", "held", "shot", "lost", "lose",
             "losing", "loses", "flight", "pull", "pulled", "surge", "death", "dead", "lives"}
MATERIEL_LOSS = {"lost", "lose", "losing", "loses", "shot"}  # "lost two helicopters", "shot down"

QUALIFIERS_BEFORE: list[tuple[str, str]] = [
    # (phrase immediately before the number, qualifier); longest first
    ("no fewer than", "at_least"), ("no less than", "at_least"), ("not less than", "at_least"),
    ("more than", "at_least"), ("upwards of", "at_least"), ("in excess of", "at_least"),
    ("at least", "at_least"), ("a minimum of", "at_least"), ("well over", "at_least"),
    ("just over", "at_least"), ("over", "at_least"), ("above", "at_least"),
    ("passed", "at_least"), ("surpassed", "at_least"), ("exceeded", "at_least"), ("topped", "at_least"),
    ("fewer than", "at_most"), ("less than", "at_most"), ("no more than", "at_most"),
    ("not more than", "at_most"), ("up to", "at_most"), ("at most", "at_most"),
    ("as many as", "at_most"), ("a maximum of", "at_most"), ("just under", "at_most"),
    ("under", "at_most"), ("below", "at_most"),
    ("an estimated", "approx"), ("estimated", "approx"), ("close to", "approx"),
    ("approximately", "approx"), ("about", "approx"), ("around", "approx"),
    ("roughly", "approx"), ("nearly", "approx"), ("almost", "approx"), ("some", "approx"),
    ("approx.", "approx"), ("circa", "approx"), ("an approximate", "approx"),
    ("at around", "approx"), ("about", "approx"), ("perhaps", "approx"),
]
QUALIFIERS_AFTER: list[tuple[str, str]] = [
    ("or more", "at_least"), ("or so", "approx"), ("-plus", "at_least"), ("plus", "at_least"),
    ("+", "at_least"), ("-odd", "approx"), ("odd", "approx"), ("or fewer", "at_most"),
    ("or less", "at_most"),
]

# --- function words the coding rules look at ------------------------------------
BE = {"were", "was", "been", "be", "being", "are", "is"}
HAVE = {"have", "has", "had"}
INTRANSITIVE = {"died", "die", "dies", "dying", "dead", "perished", "fled", "flee", "fleeing", "missing",
                "crashed", "collided", "exploded"}
ADJ_NOUNS = {"dead": "killed", "wounded": "wounded", "injured": "wounded"}  # "14 wounded": noun and measure
