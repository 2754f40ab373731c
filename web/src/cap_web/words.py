"""The French words several areas of the console show for the platform's codes."""

from __future__ import annotations

#: INSEE region codes (the gateway's region reference), by code.
REGIONS = {
    "84": "Auvergne-Rhône-Alpes",
    "27": "Bourgogne-Franche-Comté",
    "53": "Bretagne",
    "24": "Centre-Val de Loire",
    "94": "Corse",
    "44": "Grand Est",
    "01": "Guadeloupe",
    "03": "Guyane",
    "32": "Hauts-de-France",
    "11": "Île-de-France",
    "04": "La Réunion",
    "02": "Martinique",
    "06": "Mayotte",
    "28": "Normandie",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "52": "Pays de la Loire",
    "93": "Provence-Alpes-Côte d'Azur",
}
#: The two schemes of the CAP path.
SCHEMES = {"CAP_RSE": "Label CAP RSE", "CAP_ISO9001": "Certification CAP ISO 9001"}
