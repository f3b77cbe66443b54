"""English articles (eng_Latn)."""

ARTICLES = [
"""Council approves new cycle lanes along the river road
The city council voted eight to three on Tuesday evening to build protected cycle lanes along the full length of the river road, ending a debate that has run for almost two years.
Supporters said the lanes would make the route safer for children who ride to the two schools near the old mill, while several shop owners warned that the loss of parking spaces could hurt their trade during the busy summer months.
Work is expected to begin in early spring and should take about four months, according to the council's transport office, which promised to keep one lane open to cars at all times.""",

"""Late frost threatens apple harvest in the northern valleys
Fruit growers in the northern valleys spent the night lighting small fires between their trees after forecasters warned that temperatures could fall well below freezing just as the apple blossom opened.
The cold snap arrived after an unusually warm March, which had pushed the trees into flower nearly three weeks earlier than normal. Farmers say that even a few hours of hard frost can destroy most of the young buds.
The regional farming union said it was too early to estimate the damage, but asked the government to prepare emergency support in case the harvest fails for the second year in a row.""",

"""Harbour club wins first league title in forty years
Thousands of supporters filled the streets around the harbour on Saturday night after the local football club secured its first league title in four decades with a two to one win over its closest rival.
The winning goal came in the final minute from a nineteen-year-old defender who had joined the first team only in January. His header from a corner sent the travelling fans into wild celebration.
The manager, who took charge of the struggling side three seasons ago, thanked the players for their patience and said the victory belonged to the whole town rather than to any single person.""",

"""Researchers map hidden lake beneath the polar ice
A team of glaciologists has used radar flights to map a large lake of liquid water buried almost three kilometres beneath the ice sheet, the first such discovery in that part of the continent.
The lake appears to be about forty kilometres long and may have been sealed off from the surface for hundreds of thousands of years. Scientists believe its water could hold microbes that have evolved in complete darkness.
The researchers now hope to raise money for a drilling project, although they stress that any attempt to reach the water would require strict measures to avoid contaminating it with material from the surface.""",

"""Small bakeries struggle as flour prices keep rising
Independent bakeries across the county say they are being squeezed by the rising cost of flour, butter and energy, and several have already cut their opening hours to save money on heating the ovens.
One baker who has run a shop on the high street for twenty years said her bills had nearly doubled since last winter, while customers were buying fewer cakes and more of the cheapest loaves.
Local business groups have asked the council to reduce rents on its own properties for a year, arguing that a row of empty shop fronts would cost the town far more in the long run.""",

"""Museum returns carved doors to their village of origin
After more than a century in a museum storeroom, a pair of carved wooden doors has been returned to the mountain village where they were made, in a ceremony attended by hundreds of residents.
The doors were taken by a travelling collector in the early years of the last century and later sold to the museum, which only recently traced their history through old letters and photographs.
Village elders said the doors would be placed in the restored meeting house, where they once stood, and that young carpenters would study them to revive the old patterns of the region.""",

"""Mayor defends plan to close two branch libraries
The mayor on Monday defended a proposal to close two small branch libraries and move their books to a larger central building, saying the change would allow longer opening hours and better services.
Critics argued that elderly residents and families without cars would find it hard to reach the new library, which lies on the far side of the ring road from the affected neighbourhoods.
A public consultation will run until the end of next month, and the final decision is expected to be taken by the full council before the summer recess.""",

"""Storm leaves thousands without power along the coast
A powerful autumn storm brought winds of more than one hundred kilometres an hour to the coast overnight, bringing down trees and power lines and leaving about twelve thousand homes without electricity.
Emergency crews worked through the night to clear blocked roads, and the ferry service to the islands was cancelled for the whole of Thursday because of the heavy sea.
The electricity company said most customers should be reconnected by the weekend, but warned that some remote farms could wait longer because engineers could not yet reach the damaged lines.""",

"""Young chess player becomes the country's youngest grandmaster
A thirteen-year-old girl from a small town in the south has become the youngest grandmaster in the country's history after winning her final game at an international tournament abroad.
She learned the game from her grandfather at the age of five and trained mostly online during the years when tournaments were cancelled, often studying old games late into the evening.
Her coach said she remained calm throughout the event and spent the rest day walking in the park instead of preparing openings, which he believes helped her play with a clear head.""",

"""Central bank holds interest rates steady for third month
The central bank left its main interest rate unchanged on Thursday for the third month in a row, saying that inflation was slowing but remained too high for it to begin cutting borrowing costs.
The governor told reporters that the bank would watch wage growth and energy prices closely over the coming months, and that a cut before the end of the year was possible but not certain.
Mortgage lenders said the decision was widely expected, while business groups repeated their call for lower rates to support investment and hiring in the manufacturing sector.""",

"""Volunteers count rare birds on the salt marshes
More than two hundred volunteers spent the weekend counting wading birds on the salt marshes east of the city, as part of a survey that has been carried out every winter since the nineteen seventies.
Early results suggest that the number of curlews has fallen again, while some smaller species that were once rare in the area, such as the little egret, have become a common sight.
The organisers said the long record made the count one of the most valuable sources of information about how the coast is changing, and thanked the volunteers for braving the cold wind.""",

"""New rail tunnel opens after eight years of construction
The longest rail tunnel in the region opened to passengers on Sunday, cutting the journey between the two largest cities by almost an hour and ending eight years of construction work beneath the hills.
The project cost far more than first planned, after engineers struck unstable rock and underground water in the second year and had to redesign a large section of the route.
Railway officials said the new line would carry up to two hundred trains a day once the timetable is fully in place, and that freight trains would use the tunnel at night to take lorries off the roads.
Local residents who had complained for years about blasting and dust were invited to ride the first train, and many of them said they were glad the work was finally over. A small exhibition about the history of the project has opened at the main station.""",
]
