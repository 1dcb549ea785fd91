## Platform page: the seven commitments (/en/platform).

# Meta description of the platform page.
platform-description = The seven commitments and principles of the Socialist Campaign for Democracy in Iran.

# Main heading of the platform page (also in the browser tab title).
platform-heading = Our platform

# Sentence introducing the list of commitments.
platform-lead = Our platform encompasses the following commitments and principles:

# The seven commitments, in order, as a numbered list. Punctuation is the campaign's own.
platform-workers = Working class people’s right to organise, form trade unions and strike for the purpose of advancing the cause of economic democracy in Iran;
platform-freedoms = Freedom of speech, freedom of thought and belief, freedom of association
platform-rule-of-law = Rule of law and judicial independence;
platform-intervention = Opposition to foreign intervention and sanctions which harm ordinary people and the most vulnerable in Iranian society.
platform-women = Women’s struggles for liberation and equality, both legal and substantive;
platform-lgbtq = The freedom of LGBTQ+ people to flourish and have their human, civil, and social rights protected under the law;
platform-minorities = Ethnic minorities right to cultural and political autonomy within the framework of a democratic Iran.
