## Home page: the campaign statement (/en/).

# Meta description of the home page (shown by search engines and link previews).
home-description = A grassroots campaign of democratic socialists supporting the Iranian people’s struggle for democracy, human rights and social justice.

# Main heading of the home page.
home-heading = About the campaign

# The campaign statement, first paragraph (campaign text, verbatim).
home-statement-1 = The Socialist Campaign for Democracy in Iran is a grassroots initiative established to support the Iranian people’s struggles for democracy and self-determination and support their fight for basic human rights and social justice. This campaign has been inspired by the courageous women-led protests and revolutionary upsurge sparked by the death of Mahsa Jina Amini in the custody of the Islamic Republic’s “Morality Police”. We firmly believe that this unprecedented and historic uprising which took as its central slogan, “Women, Life, Freedom”, presents the single biggest challenge to the authoritarian and regressive theocratic establishment in four decades of its existence.

# The campaign statement, second paragraph. Persian: give 1979 also in the Solar Hijri
# calendar; the Islamic Republic was proclaimed in Farvardin 1358 (the revolution was 1357).
home-statement-2 = Since its establishment in 1979 the Islamic Republic has sought to repress the Iranian people’s legitimate demands for democratic self-determination and human rights. Women, ethnic and religious minorities, workers, students, intellectuals and dissidents have borne the brunt of the regime’s repression and brutality. In recent years, the ruling theocracy has moved to tighten its authoritarian grip on power and sought to eradicate all voices of opposition. Iranians have refused to acquiesce to this condition imposed by the regime and have instead decided to challenge the very foundations of the ruling theocracy, which has proven itself incapable of reform or responding to the peoples’ most basic needs and demands. We support this struggle for Iran’s political and social transformation from within.

# The campaign statement, third paragraph.
home-statement-3 = The Socialist Campaign for Democracy in Iran is committed to support and demonstrate solidarity with grassroots political and social struggles across contemporary Iran.
