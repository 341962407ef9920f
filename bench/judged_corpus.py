"""A small archive with judged answers, for bench/search_quality.py.

Twelve themes of lived experience; each has four stories in English (some say the theme's
words, some say the same thing in other words) and two in Spanish. Each theme has four
questions: two in plain words, one paraphrase that shares few words with the stories, and one
in Spanish. A story is relevant to a question when it is of the question's theme.
"""

from __future__ import annotations

THEMES: dict[str, dict[str, list[str]]] = {
    "isolation": {
        "stories": [
            "After the operation I was alone for weeks and nobody came to see me.",
            "The loneliness was worst in the evenings when the street went quiet.",
            "I could go a whole week without speaking to another person.",
            "Living on my own after my husband died, the days felt very long and empty.",
        ],
        "spanish": [
            "Después de la operación estuve sola durante semanas y nadie vino a verme.",
            "La soledad era peor por las noches, cuando la calle se quedaba en silencio.",
        ],
        "questions": [
            "loneliness",
            "feeling isolated",
            "nobody visited me for a long time",
            "me sentía muy sola",
        ],
    },
    "transport": {
        "stories": [
            "The bus stopped running and I could not get to the clinic any more.",
            "Without a car the nearest supermarket is two hours away on foot.",
            "The last train leaves at nine, so evening shifts were impossible for me.",
            "Taxis cost too much, so I missed my hospital appointments.",
        ],
        "spanish": [
            "El autobús dejó de pasar y ya no podía llegar al centro de salud.",
            "Sin coche, el supermercado más cercano queda a dos horas andando.",
        ],
        "questions": [
            "bus services",
            "public transport",
            "I had no way of getting to my appointments",
            "no había transporte para ir al médico",
        ],
    },
    "food": {
        "stories": [
            "Some weeks we went to the food bank because the money had run out.",
            "I skipped meals so that the children could eat properly.",
            "The community pantry gave us tins, bread and nappies every Friday.",
            "By the end of the month the cupboards were bare and the fridge was empty.",
        ],
        "spanish": [
            "Algunas semanas fuimos al banco de alimentos porque se había acabado el dinero.",
            "Me saltaba comidas para que los niños pudieran comer bien.",
        ],
        "questions": [
            "food bank",
            "hunger and skipping meals",
            "there was nothing left to eat at home",
            "no teníamos comida para los niños",
        ],
    },
    "housing": {
        "stories": [
            "The flat had damp on every wall and mould grew in the children's bedroom.",
            "We were evicted with two weeks' notice when the landlord sold the house.",
            "For a year we lived in one room of a hostel, four of us sharing a bed.",
            "The council waiting list for a home was eight years long.",
        ],
        "spanish": [
            "El piso tenía humedad en todas las paredes y moho en el cuarto de los niños.",
            "Nos desalojaron con dos semanas de aviso cuando el casero vendió la casa.",
        ],
        "questions": [
            "damp housing",
            "eviction by a landlord",
            "we had nowhere decent to live",
            "problemas con la vivienda",
        ],
    },
    "mental_health": {
        "stories": [
            "My anxiety got so bad that I could not leave the house.",
            "The waiting list for counselling was nine months long.",
            "Some mornings the depression made it impossible to get out of bed.",
            "Talking to the peer support group finally helped me cope with the panic.",
        ],
        "spanish": [
            "Mi ansiedad empeoró tanto que no podía salir de casa.",
            "Algunas mañanas la depresión no me dejaba levantarme de la cama.",
        ],
        "questions": [
            "anxiety and depression",
            "waiting for counselling",
            "my mind was not well and I struggled every day",
            "salud mental y ansiedad",
        ],
    },
    "gardening": {
        "stories": [
            "Our garden group met every Tuesday at the allotment.",
            "We grew vegetables together on a shared plot behind the flats.",
            "Planting tomatoes with the neighbours gave me a reason to go outside.",
            "The community orchard turned an empty car park into something green.",
        ],
        "spanish": [
            "Nuestro grupo de jardinería se reunía cada martes en el huerto.",
            "Cultivábamos verduras juntos en una parcela compartida detrás de los pisos.",
        ],
        "questions": [
            "gardening",
            "allotment vegetables",
            "growing plants with other people",
            "huerto comunitario",
        ],
    },
    "work": {
        "stories": [
            "I lost my job at the factory when it closed after thirty years.",
            "Zero-hours contracts meant I never knew if I could pay the rent.",
            "At the job centre they kept sending me to interviews for work I could not do.",
            "Two part-time jobs and still not enough to live on.",
        ],
        "spanish": [
            "Perdí mi trabajo en la fábrica cuando cerró después de treinta años.",
            "Con dos trabajos a media jornada seguía sin llegar a fin de mes.",
        ],
        "questions": [
            "losing a job",
            "unemployment and low pay",
            "the wages were never enough",
            "me quedé sin trabajo",
        ],
    },
    "caring": {
        "stories": [
            "I have cared for my mother with dementia for six years.",
            "Looking after my disabled son is a full-time job nobody pays for.",
            "As a young carer I missed school to look after my dad.",
            "Respite care gave me one weekend a month to rest.",
        ],
        "spanish": [
            "Llevo seis años cuidando a mi madre, que tiene demencia.",
            "Cuidar de mi hijo con discapacidad es un trabajo a tiempo completo que nadie paga.",
        ],
        "questions": [
            "unpaid carers",
            "caring for a parent with dementia",
            "looking after someone in my family every day",
            "cuidar a un familiar",
        ],
    },
    "digital": {
        "stories": [
            "Everything moved online and I had no computer or internet at home.",
            "The library closed, so I could not print my forms or apply for benefits.",
            "My grandson set up video calls on a tablet so I could see the doctor.",
            "Without data on my phone I could not book anything.",
        ],
        "spanish": [
            "Todo pasó a internet y yo no tenía ordenador ni conexión en casa.",
            "Sin datos en el móvil no podía reservar ninguna cita.",
        ],
        "questions": [
            "digital exclusion",
            "no internet access",
            "I could not use the online services",
            "no tenía internet en casa",
        ],
    },
    "health_services": {
        "stories": [
            "I waited three weeks to get an appointment with the doctor.",
            "The hospital cancelled my operation twice without explanation.",
            "The nurse at the surgery was the only one who listened to me.",
            "A&E was so full that I waited eleven hours on a trolley.",
        ],
        "spanish": [
            "Esperé tres semanas para conseguir una cita con el médico.",
            "El hospital canceló mi operación dos veces sin explicación.",
        ],
        "questions": [
            "GP appointments",
            "hospital waiting times",
            "the health service let me down",
            "esperar al médico",
        ],
    },
    "community_groups": {
        "stories": [
            "The lunch club at the church hall was where I made friends again.",
            "Volunteers ran a coffee morning for parents every Thursday.",
            "Our residents' association got the council to fix the lifts.",
            "At the youth club the young people planned their own projects.",
        ],
        "spanish": [
            "El club de comidas de la parroquia fue donde volví a hacer amigos.",
            "Los voluntarios organizaban un café para padres cada jueves.",
        ],
        "questions": [
            "community groups",
            "volunteers and clubs",
            "local people getting together to help each other",
            "grupos de voluntarios en el barrio",
        ],
    },
    "trust": {
        "stories": [
            "I stopped trusting the council after they lost my housing file three times.",
            "Nobody from the services ever called back, so why would I believe them now?",
            "Researchers came, took our stories and we never heard from them again.",
            "It took years before I believed a social worker was on my side.",
        ],
        "spanish": [
            "Dejé de confiar en el ayuntamiento después de que perdieran mi expediente tres veces.",
            "Nadie de los servicios volvió a llamar, así que ¿por qué iba a creerles ahora?",
        ],
        "questions": [
            "trust in services",
            "distrust of the council",
            "they never kept their promises to us",
            "desconfianza en las instituciones",
        ],
    },
}


def stories() -> list[tuple[str, str, str]]:
    """(theme, language, text) of every story."""
    found = []
    for theme, parts in THEMES.items():
        found += [(theme, "en", text) for text in parts["stories"]]
        found += [(theme, "es", text) for text in parts["spanish"]]
    return found


def questions() -> list[tuple[str, str, str]]:
    """(theme, kind, question): kind is words, paraphrase or spanish."""
    kinds = ("words", "words", "paraphrase", "spanish")
    return [
        (theme, kind, question)
        for theme, parts in THEMES.items()
        for kind, question in zip(kinds, parts["questions"], strict=True)
    ]
