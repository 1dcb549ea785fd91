## People page: who we are (/en/people).

# Meta description of the people page.
people-description = The people behind the Socialist Campaign for Democracy in Iran.

# Main heading of the people page (also in the browser tab title).
people-heading = Who we are

# Tagline under the heading.
people-tagline = Democratic socialists who support the struggle for democracy and social justice in Iran.

# Each person: their name (a heading) and biography (campaign text, verbatim). Names are
# written in your language's script.
# Same in translation: a name, in a language written in Latin letters.
people-phipps-name = Mike Phipps
people-phipps-bio = Mike Phipps is a Labour Party activist who for many years edited the Iraq Occupation Focus newsletter. He now co-edits the Labour Hub website. His book Don't Stop Thinking About Tomorrow: the Labour Party after Jeremy Corbyn is published by OR Books (2022).

# Same in translation: a name, in a language written in Latin letters.
people-hosnieh-name = Hosnieh Djafari-Marbini
# First paragraph of Hosnieh's biography.
people-hosnieh-bio-1 = Hosnieh is a consultant anaesthetist at Oxford University Hospitals and Oxford City Council’s first Migrant Champion. She is the co-founder of the Migrant Champions Network hosted by the Joint Council for the Welfare of Immigrants.
# Second paragraph of Hosnieh's biography.
people-hosnieh-bio-2 = Hosnieh is the daughter of a political refugee and arrived in the UK from Iran at the age of 13. Hosnieh is a trade unionist, a campaigner and an advocate for the rights of displaced people. Her work focuses on removing practical barriers to accessing public services. Hosnieh is also a passionate advocate for universal healthcare nationally and internationally, having campaigned with US colleagues for Medicare For All.

# Same in translation: a name, in a language written in Latin letters.
people-delkhasteh-name = Mahmood Delkhasteh
people-delkhasteh-bio = Mahmood Delkhasteh completed his PhD in Political Sociology from the London School of Economics and Political Science in 2007. He is political activist, writer, specialising in Iranian and Middle Eastern politics, Islam, democracy and human rights. He is also working on a novel, based on his memoir of the revolution, The sparrows of freedom, the untold story of Iranian Revolution.

# Same in translation: a name, in a language written in Latin letters.
people-aghileh-name = Aghileh Djafari-Marbini
people-aghileh-bio = Aghileh Djafari Marbini is a Labour Party and Iranian political activist. She works for Socialist Health Association and runs a baby bank in Harrow. She has previously worked in the NHS for over a decade.
